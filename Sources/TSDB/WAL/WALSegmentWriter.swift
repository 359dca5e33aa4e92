import PromModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Layout constants of WAL segments (`tsdb/docs/format/wal.md`).
package enum WALFormat {
    /// Segments are written in pages of this size; fragments never cross a page.
    package static let pageSize = 32 * 1024
    /// type (1) + big-endian length (2) + big-endian CRC32-Castagnoli (4).
    package static let headerSize = 7
    /// Fragment types in the low bits of the type byte.
    package static let pageTerm: UInt8 = 0
    package static let full: UInt8 = 1
    package static let first: UInt8 = 2
    package static let middle: UInt8 = 3
    package static let last: UInt8 = 4
    /// Low three bits carry the fragment type; bit 3 flags snappy, bit 4 zstd compression.
    package static let typeMask: UInt8 = 0x07
    package static let compressionMask: UInt8 = 0x18
    package static let snappyFlag: UInt8 = 0x08
    package static let zstdFlag: UInt8 = 0x10

    /// `00000012`: segment file names are the zero-padded index.
    package static func segmentName(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

/// Writes records into the segment files of one WAL directory. Not thread-safe: one owner at a time
/// (the WAL's writer queue, or a checkpoint writer).
///
/// Records are split into fragments so none crosses a 32 KiB page; a page with fewer than seven free
/// bytes is padded with zeros. A record that does not fit the rest of the segment starts a new one.
final class WALSegmentWriter {
    let directory: String
    let segmentSize: Int
    private(set) var segment: Int
    private var fd: Int32 = -1
    // The page being filled; bytes past `alloc` are always zero so padding is free.
    private var page = [UInt8](repeating: 0, count: WALFormat.pageSize)
    private var alloc = 0
    private var flushed = 0
    private var donePages = 0
    /// True when bytes were written to the file since the last sync.
    private(set) var dirty = false

    /// Creates segment `segment` in `directory`, which must not exist yet.
    init(directory: String, segment: Int, segmentSize: Int) throws {
        self.directory = directory
        self.segmentSize = max(segmentSize, 2 * WALFormat.pageSize)
        self.segment = segment
        try openSegment(segment)
    }

    deinit { if fd >= 0 { closeFD(fd) } }

    var segmentPath: String { directory + "/" + WALFormat.segmentName(segment) }

    private func openSegment(_ index: Int) throws {
        let path = directory + "/" + WALFormat.segmentName(index)
        let newFD = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard newFD >= 0 else { throw DiskIO.fail("create WAL segment", path) }
        DiskIO.syncDirectory(directory)
        fd = newFD
        segment = index
        alloc = 0
        flushed = 0
        donePages = 0
    }

    private var pagesPerSegment: Int { segmentSize / WALFormat.pageSize }

    /// Adds one record; it may stay in the page buffer until ``flush()``.
    func write(_ record: [UInt8]) throws {
        try record.withUnsafeBytes { raw throws in try write(raw) }
    }

    func write(_ record: UnsafeRawBufferPointer) throws {
        let h = WALFormat.headerSize, ps = WALFormat.pageSize
        let left = (ps - alloc - h) + (ps - h) * (pagesPerSegment - donePages - 1)
        if record.count > left && (donePages > 0 || alloc > 0) { try nextSegment() }
        var rest = record[...]
        var first = true
        repeat {
            let n = min(rest.count, ps - alloc - h)
            let isLast = n == rest.count
            let type = first ? (isLast ? WALFormat.full : WALFormat.first) : (isLast ? WALFormat.last : WALFormat.middle)
            let fragment = UnsafeRawBufferPointer(rebasing: rest.prefix(n))
            let crc = CRC32C.checksum(fragment)
            page.withUnsafeMutableBytes { p in
                p[alloc] = type
                p[alloc + 1] = UInt8(n >> 8)
                p[alloc + 2] = UInt8(n & 0xff)
                p.storeBytes(of: crc.bigEndian, toByteOffset: alloc + 3, as: UInt32.self)
                if n > 0 { (p.baseAddress! + alloc + h).copyMemory(from: fragment.baseAddress!, byteCount: n) }
            }
            alloc += h + n
            rest = rest.dropFirst(n)
            first = false
            if ps - alloc < h { try flushPage(full: true) }
        } while !rest.isEmpty
    }

    /// Writes buffered bytes of the current page to the file (no fsync).
    func flush() throws { try flushPage(full: false) }

    private func flushPage(full: Bool) throws {
        let end = full ? WALFormat.pageSize : alloc
        if end > flushed {
            try page.withUnsafeBytes { p throws in
                try DiskIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: p[flushed..<end]), path: segmentPath)
            }
            dirty = true
        }
        if full {
            page.withUnsafeMutableBytes { p in _ = memset(p.baseAddress!, 0, p.count) }
            alloc = 0
            flushed = 0
            donePages += 1
        } else {
            flushed = alloc
        }
    }

    /// fsyncs the current segment.
    func sync() throws {
        if fsync(fd) != 0 { throw DiskIO.fail("fsync WAL segment", segmentPath) }
        dirty = false
    }

    /// Pads and syncs the current segment, then starts the next one.
    /// - Returns: the index of the new segment.
    @discardableResult
    func nextSegment() throws -> Int {
        if alloc > 0 { try flushPage(full: true) }
        try sync()
        closeFD(fd)
        fd = -1
        try openSegment(segment + 1)
        return segment
    }

    /// Flushes, syncs and closes the file.
    func close() throws {
        guard fd >= 0 else { return }
        try flush()
        try sync()
        closeFD(fd)
        fd = -1
    }
}

// File scope: inside the class, `close` names the method.
private func closeFD(_ fd: Int32) { _ = close(fd) }
