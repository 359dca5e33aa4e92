import PromModel

/// The hand-written decoder for remote write 2.0 bodies (`io.prometheus.write.v2.Request`).
///
/// Like ``WriteRequestDecoder`` it walks the decoded buffer in place with every length bounded,
/// and accepts exactly what protobuf-c accepts, with equal values (checked by
/// WriteRequestV2DecoderDifferentialTests); strings with an embedded NUL are kept whole here and
/// cut by protobuf-c. A repeated `metadata` field replaces the earlier one entirely, as protobuf-c's
/// merge does for proto3 scalars. Symbol references are not resolved here: use
/// ``WriteRequestV2/labels(_:at:)``. See <doc:WireFormats>.
public enum WriteRequestV2Decoder {
    /// Decodes a protobuf `io.prometheus.write.v2.Request`.
    /// - Throws: ``WireError`` naming the offset, and the symbol or series index.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> WriteRequestV2 {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(WireError) in try decode(raw) } }
        return try result.get()
    }

    /// Decodes a protobuf `io.prometheus.write.v2.Request` held in `raw`.
    public static func decode(_ raw: UnsafeRawBufferPointer) throws(WireError) -> WriteRequestV2 {
        var request = WriteRequestV2(symbols: [], timeseries: [])
        var r = ProtoReader(raw, range: 0..<raw.count)
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 4:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "Request")
                let range = try r.readLengthDelimited()
                guard isValidUTF8(r.slice(range)) else {
                    throw WireError(
                        .invalidUTF8,
                        "symbols[\(request.symbols.count)] at offset \(range.lowerBound) is not valid UTF-8")
                }
                request.symbols.append(WriteRequestDecoder.string(raw, range))
            case 5:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "Request")
                let index = request.timeseries.count
                do {
                    request.timeseries.append(try parseSeries(raw, try r.readLengthDelimited()))
                } catch {
                    throw WireError(error.code, "timeseries[\(index)]: \(error.message)")
                }
            default: try r.skip(wireType: wireType)
            }
        }
        return request
    }

    static func parseSeries(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) throws(WireError)
        -> WriteRequestV2.TimeSeries
    {
        var r = ProtoReader(raw, range: range)
        var ts = WriteRequestV2.TimeSeries(labelsRefs: [])
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1: try readUInt32s(&r, wireType: wireType, field: field, into: &ts.labelsRefs)
            case 2:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "TimeSeries")
                ts.samples.append(try WriteRequestDecoder.parseSample(raw, try r.readLengthDelimited()))
            case 3:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "TimeSeries")
                ts.histograms.append(try WriteRequestDecoder.parseHistogram(raw, try r.readLengthDelimited()))
            case 4:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "TimeSeries")
                ts.exemplars.append(try parseExemplar(raw, try r.readLengthDelimited()))
            case 5:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "TimeSeries")
                ts.metadata = try parseMetadata(raw, try r.readLengthDelimited())
            case 6:
                try r.expect(wireType, WireType.varint, field: field, in: "TimeSeries")
                ts.createdTimestamp = Int64(bitPattern: try r.readVarint())
            default: try r.skip(wireType: wireType)
            }
        }
        return ts
    }

    static func parseExemplar(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) throws(WireError)
        -> WriteRequestV2.Exemplar
    {
        var r = ProtoReader(raw, range: range)
        var e = WriteRequestV2.Exemplar(labelsRefs: [], value: 0, timestamp: 0)
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1: try readUInt32s(&r, wireType: wireType, field: field, into: &e.labelsRefs)
            case 2:
                try r.expect(wireType, WireType.fixed64, field: field, in: "Exemplar")
                e.value = Double(bitPattern: try r.readFixed64())
            case 3:
                try r.expect(wireType, WireType.varint, field: field, in: "Exemplar")
                e.timestamp = Int64(bitPattern: try r.readVarint())
            default: try r.skip(wireType: wireType)
            }
        }
        return e
    }

    static func parseMetadata(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) throws(WireError)
        -> WriteRequestV2.Metadata
    {
        var r = ProtoReader(raw, range: range)
        var m = WriteRequestV2.Metadata(type: .unknown)
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1, 3, 4:
                try r.expect(wireType, WireType.varint, field: field, in: "Metadata")
                let v = try r.readVarint()
                switch field {
                case 1: m.type = MetricType(rawValue: Int32(truncatingIfNeeded: v))
                case 3: m.helpRef = UInt32(truncatingIfNeeded: v)
                default: m.unitRef = UInt32(truncatingIfNeeded: v)
                }
            default: try r.skip(wireType: wireType)
            }
        }
        return m
    }

    /// A repeated uint32: packed varints or one varint; each keeps its low 32 bits, as in protobuf-c.
    static func readUInt32s(_ r: inout ProtoReader, wireType: UInt8, field: UInt32, into out: inout [UInt32])
        throws(WireError)
    {
        if wireType == WireType.lengthDelimited {
            var packed = ProtoReader(r.buffer, range: try r.readLengthDelimited())
            while !packed.isAtEnd { out.append(UInt32(truncatingIfNeeded: try packed.readVarint())) }
        } else {
            try r.expect(wireType, WireType.varint, field: field, in: "labels_refs")
            out.append(UInt32(truncatingIfNeeded: try r.readVarint()))
        }
    }
}
