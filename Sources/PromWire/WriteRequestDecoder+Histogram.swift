import PromModel

// Native histogram parsing for the hand-written decoders (same message in remote write 1.0 and 2.0).

extension WriteRequestDecoder {
    /// Parses a `Histogram`, following protobuf-c: a oneof keeps its last member; repeated scalars may
    /// come packed (length-delimited) or one per field.
    static func parseHistogram(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws(WireError) -> Histogram {
        var r = ProtoReader(buffer, range: range)
        var h = Histogram()
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wireType, WireType.varint, field: field, in: "Histogram")
                h.count = .int(try r.readVarint())
            case 2:
                try r.expect(wireType, WireType.fixed64, field: field, in: "Histogram")
                h.count = .float(Double(bitPattern: try r.readFixed64()))
            case 3:
                try r.expect(wireType, WireType.fixed64, field: field, in: "Histogram")
                h.sum = Double(bitPattern: try r.readFixed64())
            case 4:
                try r.expect(wireType, WireType.varint, field: field, in: "Histogram")
                h.schema = unzigzag32(try r.readVarint())
            case 5:
                try r.expect(wireType, WireType.fixed64, field: field, in: "Histogram")
                h.zeroThreshold = Double(bitPattern: try r.readFixed64())
            case 6:
                try r.expect(wireType, WireType.varint, field: field, in: "Histogram")
                h.zeroCount = .int(try r.readVarint())
            case 7:
                try r.expect(wireType, WireType.fixed64, field: field, in: "Histogram")
                h.zeroCount = .float(Double(bitPattern: try r.readFixed64()))
            case 8, 11:
                try r.expect(wireType, WireType.lengthDelimited, field: field, in: "Histogram")
                let span = try parseBucketSpan(buffer, try r.readLengthDelimited())
                if field == 8 { h.negativeSpans.append(span) } else { h.positiveSpans.append(span) }
            case 9:
                try readSInt64s(&r, wireType: wireType, field: field, into: &h.negativeDeltas)
            case 12:
                try readSInt64s(&r, wireType: wireType, field: field, into: &h.positiveDeltas)
            case 10:
                try readDoubles(&r, wireType: wireType, field: field, into: &h.negativeCounts)
            case 13:
                try readDoubles(&r, wireType: wireType, field: field, into: &h.positiveCounts)
            case 16:
                try readDoubles(&r, wireType: wireType, field: field, into: &h.customValues)
            case 14:
                try r.expect(wireType, WireType.varint, field: field, in: "Histogram")
                h.resetHint = Histogram.ResetHint(rawValue: Int32(truncatingIfNeeded: try r.readVarint()))
            case 15:
                try r.expect(wireType, WireType.varint, field: field, in: "Histogram")
                h.timestamp = Timestamp(ms: Int64(bitPattern: try r.readVarint()))
            default: try r.skip(wireType: wireType)
            }
        }
        return h
    }

    static func parseBucketSpan(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) throws(WireError) -> BucketSpan {
        var r = ProtoReader(buffer, range: range)
        var span = BucketSpan(offset: 0, length: 0)
        while !r.isAtEnd {
            let (field, wireType) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wireType, WireType.varint, field: field, in: "BucketSpan")
                span.offset = unzigzag32(try r.readVarint())
            case 2:
                try r.expect(wireType, WireType.varint, field: field, in: "BucketSpan")
                span.length = UInt32(truncatingIfNeeded: try r.readVarint())
            default: try r.skip(wireType: wireType)
            }
        }
        return span
    }

    /// sint32 from a varint: zigzag over the low 32 bits, as protobuf-c does.
    static func unzigzag32(_ v: UInt64) -> Int32 {
        let u = UInt32(truncatingIfNeeded: v)
        return Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    static func unzigzag64(_ u: UInt64) -> Int64 { Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))) }

    /// A repeated sint64: packed varints, or one varint.
    static func readSInt64s(_ r: inout ProtoReader, wireType: UInt8, field: UInt32, into out: inout [Int64])
        throws(WireError)
    {
        if wireType == WireType.lengthDelimited {
            let range = try r.readLengthDelimited()
            var packed = ProtoReader(r.buffer, range: range)
            while !packed.isAtEnd { out.append(unzigzag64(try packed.readVarint())) }
        } else {
            try r.expect(wireType, WireType.varint, field: field, in: "Histogram")
            out.append(unzigzag64(try r.readVarint()))
        }
    }

    /// A repeated double: packed (a multiple of 8 bytes), or one fixed64.
    static func readDoubles(_ r: inout ProtoReader, wireType: UInt8, field: UInt32, into out: inout [Double])
        throws(WireError)
    {
        if wireType == WireType.lengthDelimited {
            let range = try r.readLengthDelimited()
            guard range.count % 8 == 0 else {
                throw WireError(
                    .lengthOutOfBounds,
                    "packed doubles of field \(field) at offset \(range.lowerBound) have \(range.count) bytes, not a multiple of 8"
                )
            }
            var packed = ProtoReader(r.buffer, range: range)
            while !packed.isAtEnd { out.append(Double(bitPattern: try packed.readFixed64())) }
        } else {
            try r.expect(wireType, WireType.fixed64, field: field, in: "Histogram")
            out.append(Double(bitPattern: try r.readFixed64()))
        }
    }
}
