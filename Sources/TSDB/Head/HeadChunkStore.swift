#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Keeps closed head chunks in memory-mapped files under `<data>/chunks_head/` instead of the heap,
/// so a series costs only a small reference per closed chunk; the kernel pages chunk bytes in and
/// out as queries need them.
///
/// This is a spill area, not a Prometheus `chunks_head` directory: it is emptied on open and the
/// head is rebuilt from the WAL, so its layout is private (raw chunk bytes, back to back).
/// Thread-safe: writers reserve space under a lock and copy outside it.
final class HeadChunkStore: Sendable {
    let directory: String
    let fileSize: Int
    // Guards which file receives new chunks and the next free offset in it.
    private let current: Mutex<(file: MappedChunkFile?, next: Int, index: Int)>

    /// Empties (or creates) `directory`.
    init(directory: String, fileSize: Int = 16 << 20) throws {
        try DiskIO.removeAll(directory)
        try DiskIO.makeDirectory(directory)
        self.directory = directory
        self.fileSize = fileSize
        current = Mutex((nil, 0, 0))
    }

    /// Copies chunk bytes into a mapped file; nil when they cannot be stored (too large, disk error),
    /// in which case the caller keeps them on the heap.
    func store(_ bytes: [UInt8]) -> (file: MappedChunkFile, offset: Int)? {
        guard bytes.count <= fileSize else { return nil }
        let slot: (MappedChunkFile, Int)? = current.withLock { c in
            if c.file == nil || c.next + bytes.count > fileSize {
                c.index += 1
                c.file = MappedChunkFile(path: directory + "/" + WALFormat.segmentName(c.index), size: fileSize)
                c.next = 0
            }
            guard let f = c.file else { return nil }
            defer { c.next += bytes.count }
            return (f, c.next)
        }
        guard let (file, offset) = slot else { return nil }
        bytes.withUnsafeBytes { src in
            (file.base + offset).copyMemory(from: src.baseAddress!, byteCount: src.count)
        }
        return (file, offset)
    }
}

/// One mapped spill file. The file is unlinked right after creation, so it disappears with the last
/// chunk that references it (the mapping lives until `deinit`), crash or not.
final class MappedChunkFile: @unchecked Sendable {
    // @unchecked: `base` is written once in init; chunk ranges are written once before they are
    // published under a series lock, then only read.
    let base: UnsafeMutableRawPointer
    let size: Int

    init?(path: String, size: Int) {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        // Reserve the blocks now: writing to a sparse mapping on a full disk would raise SIGBUS.
        guard posix_fallocate(fd, 0, off_t(size)) == 0,
              let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), p != MAP_FAILED
        else {
            _ = unlink(path)
            return nil
        }
        _ = unlink(path)
        base = p
        self.size = size
    }

    deinit { _ = munmap(base, size) }

    func bytes(offset: Int, count: Int) -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(start: base + offset, count: count))
    }
}
