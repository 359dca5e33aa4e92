/// Decoder for the snappy block format (no framing), which Prometheus uses to compress WAL records
/// (fragment type bit 3). Written from the format description; decoding only, bounds-checked.
///
/// Layout: the uncompressed length as a uvarint, then elements selected by the low two bits of a tag
/// byte: `00` literal (length − 1 in the upper six bits, or in the next 1–4 little-endian bytes when
/// those bits are 60–63), `01` copy with length 4–11 and an 11-bit offset, `10` copy with length
/// 1–64 and a 16-bit little-endian offset, `11` the same with a 32-bit offset. Copies may overlap
/// their own output (offset < length), which repeats bytes.
enum SnappyBlock {
    /// Largest uncompressed size accepted; WAL records are far smaller.
    static let maxLength = 256 << 20

    /// The decompressed bytes, or nil when `input` is not valid snappy.
    static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        var d = ByteDecoder(input)
        guard let length = d.uvarint(), length <= UInt64(maxLength) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(Int(length))
        var i = d.offset
        let n = input.count
        while i < n {
            let tag = input[i]
            i += 1
            switch tag & 3 {
            case 0:
                var len = Int(tag >> 2)
                if len >= 60 {
                    let extra = len - 59
                    guard i + extra <= n else { return nil }
                    len = 0
                    for k in 0..<extra { len |= Int(input[i + k]) << (8 * k) }
                    i += extra
                }
                len += 1
                guard len <= n - i, out.count + len <= Int(length) else { return nil }
                out.append(contentsOf: input[i..<i + len])
                i += len
            case 1:
                guard i < n else { return nil }
                let len = 4 + Int((tag >> 2) & 7)
                let offset = Int(tag >> 5) << 8 | Int(input[i])
                i += 1
                guard copy(&out, offset: offset, length: len, limit: Int(length)) else { return nil }
            case 2:
                guard i + 2 <= n else { return nil }
                let offset = Int(input[i]) | Int(input[i + 1]) << 8
                i += 2
                guard copy(&out, offset: offset, length: 1 + Int(tag >> 2), limit: Int(length)) else { return nil }
            default:
                guard i + 4 <= n else { return nil }
                var offset = 0
                for k in 0..<4 { offset |= Int(input[i + k]) << (8 * k) }
                i += 4
                guard copy(&out, offset: offset, length: 1 + Int(tag >> 2), limit: Int(length)) else { return nil }
            }
        }
        return out.count == Int(length) ? out : nil
    }

    private static func copy(_ out: inout [UInt8], offset: Int, length: Int, limit: Int) -> Bool {
        guard offset > 0, offset <= out.count, out.count + length <= limit else { return false }
        let start = out.count - offset
        // Byte by byte: an overlapping copy reads bytes it has just written.
        for k in 0..<length { out.append(out[start + k]) }
        return true
    }
}
