import Glibc

/// A buffered, append-only file writer that knows its offset and can fsync.
///
/// Not thread-safe; one writer per file. Call ``close()`` (which flushes) before dropping it.
package final class FileWriter {
    /// The path as given, used in error messages.
    package let path: String
    /// Bytes written so far, buffered ones included: the offset of the next byte.
    package private(set) var offset: Int = 0
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferSize = 1 << 20

    /// Creates (or truncates) `path`.
    /// - Throws: ``TSDBError`` with code `io`.
    package init(path: String) throws(TSDBError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TSDBError(.io, "cannot create \(path): \(errnoString())") }
        buffer.reserveCapacity(bufferSize)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Appends bytes.
    package func write(_ bytes: [UInt8]) throws(TSDBError) {
        let r: Result<Void, TSDBError> = bytes.withUnsafeBytes { raw in
            do throws(TSDBError) { try write(raw) } catch { return .failure(error) }
            return .success(())
        }
        try r.get()
    }

    /// Appends bytes.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(TSDBError) {
        offset += bytes.count
        if buffer.count + bytes.count > bufferSize { try flush() }
        if bytes.count >= bufferSize {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Appends zero bytes until the offset is a multiple of `alignment`.
    package func pad(to alignment: Int) throws(TSDBError) {
        let r = offset % alignment
        if r != 0 { try write([UInt8](repeating: 0, count: alignment - r)) }
    }

    /// Hands buffered bytes to the kernel.
    package func flush() throws(TSDBError) {
        guard !buffer.isEmpty else { return }
        let r: Result<Void, TSDBError> = buffer.withUnsafeBytes { raw in
            do throws(TSDBError) { try writeAll(raw) } catch { return .failure(error) }
            return .success(())
        }
        try r.get()
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and fsyncs, so the bytes survive a crash.
    package func sync() throws(TSDBError) {
        try flush()
        guard fsync(fd) == 0 else { throw TSDBError(.io, "cannot fsync \(path): \(errnoString())") }
    }

    /// Flushes, fsyncs and closes.
    package func close() throws(TSDBError) {
        guard fd >= 0 else { return }
        try sync()
        let rc = Glibc.close(fd)
        fd = -1
        guard rc == 0 else { throw TSDBError(.io, "cannot close \(path): \(errnoString())") }
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) throws(TSDBError) {
        var done = 0
        while done < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw TSDBError(.io, "cannot write \(raw.count - done) bytes to \(path): \(errnoString())")
            }
            done += n
        }
    }
}

/// Small file-system helpers for writing blocks durably.
package enum FileSystem {
    /// fsyncs a directory so that entries created or renamed in it survive a crash.
    package static func syncDirectory(_ path: String) throws(TSDBError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw TSDBError(.io, "cannot open directory \(path): \(errnoString())") }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw TSDBError(.io, "cannot fsync directory \(path): \(errnoString())") }
    }

    /// Creates a directory (parents must exist); an existing one is an error.
    package static func makeDirectory(_ path: String) throws(TSDBError) {
        guard mkdir(path, 0o755) == 0 else { throw TSDBError(.io, "cannot create directory \(path): \(errnoString())") }
    }

    /// Renames atomically (same file system).
    package static func rename(_ from: String, to: String) throws(TSDBError) {
        guard Glibc.rename(from, to) == 0 else {
            throw TSDBError(.io, "cannot rename \(from) to \(to): \(errnoString())")
        }
    }
}
