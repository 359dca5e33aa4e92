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
        struct Sink: SeriesSink {
            let body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
            func label(_ raw: UnsafeRawBufferPointer, name: Range<Int>, value: Range<Int>) {
                body(UnsafeRawBufferPointer(rebasing: raw[name]), UnsafeRawBufferPointer(rebasing: raw[value]))
            }
            func sample(_ s: Sample) {}
            func exemplar(_ e: Exemplar) {}
            func histogram(_ h: Histogram) {}
        }
        withoutActuallyEscaping(body) { body in
            var sink = Sink(body: body)
            walkValidated(&sink)
        }
    }

    /// Calls `body` with each float sample, in wire order.
    public func forEachSample(_ body: (Sample) -> Void) {
        struct Sink: SeriesSink {
            let body: (Sample) -> Void
            func label(_ raw: UnsafeRawBufferPointer, name: Range<Int>, value: Range<Int>) {}
            func sample(_ s: Sample) { body(s) }
            func exemplar(_ e: Exemplar) {}
            func histogram(_ h: Histogram) {}
        }
        withoutActuallyEscaping(body) { body in
            var sink = Sink(body: body)
            walkValidated(&sink)
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
