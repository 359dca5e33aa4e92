#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX wrappers used by the WAL, checkpoints and the DB directory code.
///
/// Every failure becomes a ``TSDBError`` with code `.io` naming the path and errno text. These
/// calls block: callers run them on the WAL writer queue or during open/compaction, never in a
/// tight loop on the cooperative pool.
enum DiskIO {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func fail(_ what: String, _ path: String) -> TSDBError {
        TSDBError(.io, "cannot \(what) \(path): \(errnoText())")
    }

    /// Creates `path` and missing parents.
    static func makeDirectory(_ path: String) throws {
        if isDirectory(path) { return }
        let parent = parentPath(path)
        if !parent.isEmpty && parent != path && !isDirectory(parent) { try makeDirectory(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw fail("create directory", path) }
    }

    static func parentPath(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "" }
        return i == path.startIndex ? "/" : String(path[..<i])
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Size in bytes of a regular file, or nil when it does not exist.
    static func fileSize(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    /// Names in a directory, without `.` and `..`, sorted.
    static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw fail("list directory", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Reads a whole file (also `/proc` files, whose reported size is 0).
    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw fail("open", path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw fail("stat", path) }
        var out = [UInt8](repeating: 0, count: max(Int(st.st_size), 4096))
        var done = 0
        while true {
            if done == out.count { out += [UInt8](repeating: 0, count: out.count) }
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw fail("read", path) }
            if n == 0 { break }
            done += n
        }
        out.removeSubrange(done...)
        return out
    }

    /// Writes a whole file and fsyncs it (not its directory).
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw fail("create", path) }
        defer { close(fd) }
        try bytes.withUnsafeBytes { raw throws in try writeAll(fd, raw, path: path) }
        if fsync(fd) != 0 { throw fail("fsync", path) }
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("write", path)
            }
            done += n
        }
    }

    /// Flushes a directory entry table, so created, renamed or removed names survive a crash.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func rename(_ from: String, _ to: String) throws {
        if posixRename(from, to) != 0 { throw fail("rename to \(to)", from) }
    }

    /// Sets a file's length; growing pads with zero bytes.
    static func truncate(_ path: String, to size: Int) throws {
        if posixTruncate(path, off_t(size)) != 0 { throw fail("truncate", path) }
    }

    /// Removes a file or a directory tree; a missing path is not an error.
    static func removeAll(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try list(path) { try removeAll(path + "/" + name) }
            if rmdir(path) != 0 { throw fail("remove directory", path) }
        } else if unlink(path) != 0 {
            throw fail("remove", path)
        }
    }

    /// Total bytes of regular files under `path`.
    static func treeSize(_ path: String) -> Int {
        var st = stat()
        guard lstat(path, &st) == 0 else { return 0 }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return Int(st.st_size) }
        let names = (try? list(path)) ?? []
        return names.reduce(0) { $0 + treeSize(path + "/" + $1) }
    }
}

// File-scope shims: inside `DiskIO` the static methods shadow the C functions of the same name.
private func posixRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
private func posixTruncate(_ path: String, _ size: off_t) -> Int32 { truncate(path, size) }
