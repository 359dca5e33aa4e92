public import PromModel

/// Where a chunk lives in a block: segment sequence number in the upper 32 bits, byte offset in the
/// lower 32 bits, as in Prometheus' index. See <doc:BlockFormat>.
public struct ChunkRef: Hashable, Sendable, CustomStringConvertible {
    /// The packed 64-bit value stored in the index.
    public var rawValue: UInt64

    /// Wraps a reference as stored in the index.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// - Parameters:
    ///   - segment: zero-based segment sequence (file `000001` is 0).
    ///   - offset: offset of the chunk's length field in that file.
    public init(segment: UInt32, offset: UInt32) { rawValue = UInt64(segment) << 32 | UInt64(offset) }

    /// Zero-based segment sequence number.
    public var segment: Int { Int(rawValue >> 32) }
    /// Byte offset within the segment file.
    public var offset: Int { Int(rawValue & 0xffff_ffff) }

    public var description: String { "chunk \(segment):\(offset)" }
}

/// A chunk's place in the block and its time range, as the index records it.
public struct ChunkMeta: Hashable, Sendable {
    /// Where the chunk is stored.
    public var ref: ChunkRef
    /// Timestamp of the first sample, inclusive.
    public var minTime: Timestamp
    /// Timestamp of the last sample, inclusive.
    public var maxTime: Timestamp

    /// Metadata of one chunk.
    public init(ref: ChunkRef, minTime: Timestamp, maxTime: Timestamp) {
        self.ref = ref
        self.minTime = minTime
        self.maxTime = maxTime
    }

    /// Whether the chunk may hold samples in `[mint, maxt]`.
    public func overlaps(_ mint: Timestamp, _ maxt: Timestamp) -> Bool { minTime <= maxt && mint <= maxTime }
}

/// Constants of chunk segment files.
package enum ChunkSegment {
    /// Magic number and format version at the start of every segment file.
    package static let magic: UInt32 = 0x85BD_40DD
    package static let version: UInt8 = 1
    /// Magic, version and three bytes of padding.
    package static let headerSize = 8
    /// Prometheus' segment cap; a new file starts before a chunk would cross it.
    package static let defaultMaxSize = 512 * 1024 * 1024
    /// Bytes of the checksum after each chunk.
    package static let crcSize = 4

    /// The file name of the zero-based segment `sequence`: `000001` for 0.
    package static func fileName(_ sequence: Int) -> String {
        let s = String(sequence + 1)
        return String(repeating: "0", count: max(0, 6 - s.count)) + s
    }
}
