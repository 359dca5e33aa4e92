public import PromModel

/// A validated series inside a remote write 1.0 body, read in place (see ``WriteRequestDecoder/visit(_:_:)``).
///
/// Label names and values are handed out as byte slices of the body, so a receiver can hash them
/// and look the series up without building ``Labels``. The view borrows the body: neither it nor
/// any slice may escape the visit callback.
public struct RawSeries: ~Copyable {
    let buffer: UnsafeRawBufferPointer
    let range: Range<Int>
    /// The position of the series in the request, from 0.
    public let index: Int

    /// The series' protobuf bytes (a `TimeSeries` message), e.g. to hash as a whole.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[range]) }

    /// Calls `body` with each label's name and value bytes (valid UTF-8), in wire order.
    public func forEachLabel(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        forEachField(1) { (range) throws(WireError) in
            let (name, value) = try WriteRequestDecoder.parseLabel(buffer, range, validateUTF8: false)
            body(UnsafeRawBufferPointer(rebasing: buffer[name]), UnsafeRawBufferPointer(rebasing: buffer[value]))
        }
    }

    /// Number of native histogram samples in the series (field 4), without decoding them.
    public var histogramCount: Int {
        var n = 0
        forEachField(4) { (_) throws(WireError) in n += 1 }
        return n
    }

    /// Calls `body` with each float sample, in wire order.
    public func forEachSample(_ body: (Sample) -> Void) {
        forEachField(2) { (range) throws(WireError) in body(try WriteRequestDecoder.parseSample(buffer, range)) }
    }

    /// Walks the series' top-level fields and calls `body` with the payload of each `field` (all
    /// length-delimited in a validated series).
    @inline(__always)
    private func forEachField(_ wanted: UInt32, _ body: (Range<Int>) throws(WireError) -> Void) {
        do {
            var r = ProtoReader(buffer, range: range)
            while !r.isAtEnd {
                let (field, wireType) = try r.readTag()
                if field == wanted {
                    try body(try r.readLengthDelimited())
                } else {
                    try r.skip(wireType: wireType)
                }
            }
        } catch {
            // visit(_:_:) validated every series before handing any out.
            preconditionFailure("series \(index) was validated but no longer parses: \(error)")
        }
    }

    /// The whole series as a value (allocates; for new series and for exemplars or histograms).
    public func decoded() -> TimeSeries {
        var sink = BuildingSink()
        walkValidated(&sink)
        return sink.series
    }

    private func walkValidated<S: SeriesSink>(_ sink: inout S) {
        do {
            try WriteRequestDecoder.parseSeries(buffer, range, index: index, into: &sink)
        } catch {
            // visit(_:_:) validated every series before handing any out.
            preconditionFailure("series \(index) was validated but no longer parses: \(error)")
        }
    }
}
