public import PromModel

/// A chunk of float samples in Prometheus' XOR encoding (Gorilla-style), byte-identical to what
/// Prometheus writes, so chunks move between head, blocks and remote read without re-encoding.
///
/// Layout: a big-endian `UInt16` sample count, then a bit stream: the first timestamp as a zigzag
/// varint and the first value as 64 raw bits; the second timestamp as an unsigned varint delta and
/// the value XOR-encoded; later timestamps as delta-of-delta in 1/14/17/20/64-bit buckets and values
/// XOR-encoded against the previous one. See `TSDB.docc/ChunkFormat.md`.
public struct XORChunk: Sendable {
    /// The chunk bytes, header included. Valid to store or send as they are.
    public var bytes: [UInt8] { writer.bytes }
    /// Number of samples appended.
    public private(set) var count: Int = 0
    /// Timestamp of the first and of the last sample; meaningless while `count == 0`.
    public private(set) var minTime = Timestamp(ms: 0)
    public private(set) var maxTime = Timestamp(ms: 0)

    private var writer = BitWriter(bytes: [0, 0])
    private var lastT: Int64 = 0
    private var lastV: UInt64 = 0
    private var tDelta: UInt64 = 0
    // 0xff means "no leading/trailing window chosen yet", as in the reference encoder.
    private var leading: UInt8 = 0xff
    private var trailing: UInt8 = 0

    /// The most samples one chunk may hold: the header count is a `UInt16`.
    public static let maxSamples = Int(UInt16.max)

    /// An empty chunk.
    public init() {}

    /// Appends a sample. Timestamps must be strictly increasing; the caller checks order.
    public mutating func append(t: Timestamp, v: Double) {
        precondition(count < Self.maxSamples, "XOR chunk full")
        let vBits = v.bitPattern
        switch count {
        case 0:
            writer.writeVarint(t.ms)
            writer.writeBits(vBits, count: 64)
            minTime = t
        case 1:
            tDelta = UInt64(bitPattern: t.ms &- lastT)
            writer.writeUvarint(tDelta)
            writeValue(vBits)
        default:
            let newDelta = UInt64(bitPattern: t.ms &- lastT)
            let dod = Int64(bitPattern: newDelta &- tDelta)
            writeDeltaOfDelta(dod)
            tDelta = newDelta
            writeValue(vBits)
        }
        lastT = t.ms
        lastV = vBits
        maxTime = t
        count += 1
        setHeaderCount()
    }

    private mutating func setHeaderCount() { writer.patchHeader(UInt16(count)) }

    @inline(__always) private static func fits(_ x: Int64, bits: Int) -> Bool {
        // Asymmetric on purpose: the reference encoder accepts [-(2^(n-1) - 1), 2^(n-1)].
        -((Int64(1) << (bits - 1)) - 1) <= x && x <= Int64(1) << (bits - 1)
    }

    private mutating func writeDeltaOfDelta(_ dod: Int64) {
        let u = UInt64(bitPattern: dod)
        if dod == 0 {
            writer.writeBit(false)
        } else if Self.fits(dod, bits: 14) {
            writer.writeBits(0b10, count: 2)
            writer.writeBits(u, count: 14)
        } else if Self.fits(dod, bits: 17) {
            writer.writeBits(0b110, count: 3)
            writer.writeBits(u, count: 17)
        } else if Self.fits(dod, bits: 20) {
            writer.writeBits(0b1110, count: 4)
            writer.writeBits(u, count: 20)
        } else {
            writer.writeBits(0b1111, count: 4)
            writer.writeBits(u, count: 64)
        }
    }

    private mutating func writeValue(_ vBits: UInt64) {
        let delta = vBits ^ lastV
        if delta == 0 {
            writer.writeBit(false)
            return
        }
        writer.writeBit(true)
        var lead = UInt8(delta.leadingZeroBitCount)
        let trail = UInt8(delta.trailingZeroBitCount)
        // The leading count has 5 bits on the wire.
        if lead >= 32 { lead = 31 }
        if leading != 0xff && lead >= leading && trail >= trailing {
            writer.writeBit(false)
            writer.writeBits(delta >> UInt64(trailing), count: 64 - Int(leading) - Int(trailing))
            return
        }
        leading = lead
        trailing = trail
        writer.writeBit(true)
        writer.writeBits(UInt64(lead), count: 5)
        let sigBits = 64 - Int(lead) - Int(trail)
        // 64 significant bits do not fit in 6 bits; they are written as 0 and read back as 64.
        writer.writeBits(UInt64(sigBits & 63), count: 6)
        writer.writeBits(delta >> UInt64(trail), count: sigBits)
    }
}

extension BitWriter {
    mutating func patchHeader(_ n: UInt16) {
        withHeader { h in
            h[0] = UInt8(n >> 8)
            h[1] = UInt8(n & 0xff)
        }
    }
}
