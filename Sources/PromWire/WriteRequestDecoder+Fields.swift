import PromModel

// Field-level parsing of remote write 1.0 messages for the hand-written decoder. Each function
// walks one message's byte range with ProtoReader and follows protobuf-c's rules: the last value
// of a repeated singular field wins, a oneof keeps its last member, and packed or unpacked
// encodings of repeated scalars are both accepted.

extension WriteRequestDecoder {
    /// Parses a `Label` into byte ranges of its name and value; both are UTF-8 validated.
    @inline(__always)
    /// `validateUTF8: false` is for walks over a body that was already validated.
    static func parseLabel(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, validateUTF8: Bool = true)
        throws(WireError) -> (name: Range<Int>, value: Range<Int>)
    {
        var r = ProtoReader(buffer, range: range)
        var name = range.lowerBound..<range.lowerBound
        var value = name
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "Label")
                name = try r.readLengthDelimited()
            case 2:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "Label")
                value = try r.readLengthDelimited()
            default: try r.skip(wireType: wireType)
            }
        }
        if !validateUTF8 { return (name, value) }
        guard isValidUTF8(r.slice(name)) else {
            throw WireError(.invalidUTF8, "label name at offset \(name.lowerBound) is not valid UTF-8")
        }
        guard isValidUTF8(r.slice(value)) else {
            throw WireError(.invalidUTF8, "label value at offset \(value.lowerBound) is not valid UTF-8")
        }
        return (name, value)
    }

    /// Parses a `Sample`.
    @inline(__always)
    static func parseSample(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws(WireError) -> Sample {
        var r = ProtoReader(buffer, range: range)
        var value: UInt64 = 0
        var timestamp: UInt64 = 0
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wireType, WireType.fixed64, field: field, in: "Sample")
                value = try r.readFixed64()
            case 2:
                try r.expect(wireType, WireType.varint, field: field, in: "Sample")
                timestamp = try r.readVarint()
            default: try r.skip(wireType: wireType)
            }
        }
        return Sample(t: Timestamp(ms: Int64(bitPattern: timestamp)), v: Double(bitPattern: value))
    }

    /// A string built from validated UTF-8 bytes.
    @inline(__always)
    static func string(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }

    /// Parses an `Exemplar` (labels UTF-8 validated).
    static func parseExemplar(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws(WireError) -> Exemplar {
        var r = ProtoReader(buffer, range: range)
        var e = Exemplar(labels: [], value: 0, timestamp: Timestamp(ms: 0))
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "Exemplar")
                let (n, v) = try parseLabel(buffer, try r.readLengthDelimited())
                e.labels.append(Label(name: string(buffer, n), value: string(buffer, v)))
            case 2:
                try r.expect(wireType, WireType.fixed64, field: field, in: "Exemplar")
                e.value = Double(bitPattern: try r.readFixed64())
            case 3:
                try r.expect(wireType, WireType.varint, field: field, in: "Exemplar")
                e.timestamp = Timestamp(ms: Int64(bitPattern: try r.readVarint()))
            default: try r.skip(wireType: wireType)
            }
        }
        return e
    }

    /// Parses a `MetricMetadata` (strings UTF-8 validated).
    static func parseMetadata(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws(WireError)
        -> MetricMetadata
    {
        var r = ProtoReader(buffer, range: range)
        var type: Int32 = 0
        var strings = [
            range.lowerBound..<range.lowerBound, range.lowerBound..<range.lowerBound,
            range.lowerBound..<range.lowerBound,
        ]
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wireType, WireType.varint, field: field, in: "MetricMetadata")
                type = Int32(truncatingIfNeeded: try r.readVarint())
            case 2, 4, 5:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "MetricMetadata")
                strings[field == 2 ? 0 : Int(field) - 3] = try r.readLengthDelimited()
            default: try r.skip(wireType: wireType)
            }
        }
        for s in strings where !isValidUTF8(r.slice(s)) {
            throw WireError(.invalidUTF8, "metadata string at offset \(s.lowerBound) is not valid UTF-8")
        }
        return MetricMetadata(
            type: MetricType(rawValue: type), metricFamilyName: string(buffer, strings[0]),
            help: string(buffer, strings[1]), unit: string(buffer, strings[2]))
    }
}
