import Glibc
public import PromModel

/// A deleted time range `[minTime, maxTime]`, both ends inclusive.
public struct TombstoneInterval: Hashable, Sendable {
    /// First and last deleted timestamp, both inclusive.
    public var minTime: Timestamp
    public var maxTime: Timestamp

    /// An interval `[minTime, maxTime]`.
    public init(minTime: Timestamp, maxTime: Timestamp) {
        self.minTime = minTime
        self.maxTime = maxTime
    }

    /// Whether `t` falls inside the interval.
    public func contains(_ t: Timestamp) -> Bool { minTime <= t && t <= maxTime }
}

/// Deleted intervals per series reference: the content of a block's `tombstones` file.
/// See <doc:BlockFormat>.
public struct Tombstones: Hashable, Sendable {
    /// Intervals by series reference, each list sorted and merged.
    public private(set) var intervals: [UInt32: [TombstoneInterval]] = [:]

    /// No deletions.
    public init() {}

    /// File format constants.
    package static let magic: UInt32 = 0x0130_BA30
    package static let version: UInt8 = 1
    package static let fileName = "tombstones"

    /// Marks `interval` of series `ref` deleted, merging with overlapping or adjacent intervals.
    public mutating func add(_ ref: UInt32, _ interval: TombstoneInterval) {
        var list = intervals[ref, default: []]
        list.append(interval)
        list.sort { $0.minTime < $1.minTime }
        var merged: [TombstoneInterval] = []
        for iv in list {
            if var last = merged.last, iv.minTime.ms <= last.maxTime.ms &+ 1 || last.maxTime == .max {
                last.maxTime = max(last.maxTime, iv.maxTime)
                merged[merged.count - 1] = last
            } else {
                merged.append(iv)
            }
        }
        intervals[ref] = merged
    }

    /// Whether any series has deletions.
    public var isEmpty: Bool { intervals.isEmpty }

    /// Number of intervals over all series (the `numTombstones` statistic).
    public var count: Int { intervals.values.reduce(0) { $0 + $1.count } }

    /// The file bytes: header, one entry per interval sorted by reference, CRC over the entries.
    package func encoded() -> [UInt8] {
        var b = EncodingBuffer(capacity: 9 + intervals.count * 8)
        b.putBE32(Self.magic)
        b.putByte(Self.version)
        // One entry per interval, repeating the reference: there is no per-series interval count
        // (found against a tombstones file written by Prometheus 2.42).
        for ref in intervals.keys.sorted() {
            for iv in intervals[ref]! {
                b.putUvarint(UInt64(ref))
                b.putVarint(iv.minTime.ms)
                b.putVarint(iv.maxTime.ms)
            }
        }
        b.putCRC(from: 5)
        return b.bytes
    }

    /// Replaces `<directory>/tombstones` atomically (temporary file, fsync, rename, directory fsync),
    /// so a reader sees the old or the new deletions, never a torn file.
    public func write(toDirectory directory: String) throws(TSDBError) {
        let tmp = directory + "/" + Self.fileName + ".tmp"
        let f = try FileWriter(path: tmp)
        try f.write(encoded())
        try f.close()
        try FileSystem.rename(tmp, to: directory + "/" + Self.fileName)
        try FileSystem.syncDirectory(directory)
    }

    /// Decodes a tombstones file.
    /// - Parameter file: name used in errors.
    /// - Throws: ``TSDBError`` `corruption` naming the file and offset.
    package init(decoding bytes: UnsafeRawBufferPointer, file: String) throws(TSDBError) {
        var d = DecodingBuffer(bytes, file: file)
        guard bytes.count >= 9 else { throw d.corruption("\(bytes.count) bytes is too short for a tombstones file", at: 0) }
        let magic = try d.be32("tombstones magic")
        guard magic == Self.magic else { throw d.corruption("bad magic 0x\(String(magic, radix: 16)), want 0x130ba30", at: 0) }
        let version = try d.byte("tombstones version")
        guard version == Self.version else { throw d.corruption("unsupported tombstones version \(version)", at: 4) }
        let body = UnsafeRawBufferPointer(rebasing: bytes[5..<bytes.count - 4])
        let want = DecodingBuffer.be32(bytes, at: bytes.count - 4)
        let got = CRC32C.checksum(body)
        guard got == want else {
            throw d.corruption("checksum mismatch (got 0x\(String(got, radix: 16)), want 0x\(String(want, radix: 16)))", at: bytes.count - 4)
        }
        var e = DecodingBuffer(body, file: file, base: 5)
        while e.remaining > 0 {
            let ref = try e.uvarint("series reference")
            guard ref <= UInt64(UInt32.max) else { throw e.corruption("series reference \(ref) out of range") }
            let mint = try e.varint("interval minTime")
            let maxt = try e.varint("interval maxTime")
            guard mint <= maxt else { throw e.corruption("interval [\(mint), \(maxt)] of series \(ref) is reversed") }
            add(UInt32(ref), TombstoneInterval(minTime: Timestamp(ms: mint), maxTime: Timestamp(ms: maxt)))
        }
    }

    /// Reads `<directory>/tombstones`; a missing file means no deletions, as in Prometheus.
    package static func read(directory: String, displayName: String) throws(TSDBError) -> Tombstones {
        let path = directory + "/" + fileName
        let m: MappedFile
        do {
            m = try MappedFile(path: path)
        } catch {
            if access(path, F_OK) != 0 { return Tombstones() }
            throw error
        }
        return try Tombstones(decoding: m.bytes, file: displayName + "/" + fileName)
    }
}
