#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small blocking file helpers. Callers run them on a thread pool, never on the cooperative pool.
enum PosixFile {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Bytes `[from, EOF)` of a file, at most `limit` of them; nil when the file does not exist.
    static func read(_ path: String, from: Int, limit: Int) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw RemoteClientError(.io, "cannot open \(path): \(errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw RemoteClientError(.io, "cannot stat \(path): \(errnoText())") }
        let size = min(max(0, Int(st.st_size) - from), limit)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, count in
            var done = 0
            while done < size {
                let n = pread(fd, buf.baseAddress! + done, size - done, off_t(from + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failed = n < 0; break }
                done += n
            }
            count = done
        }
        if failed { throw RemoteClientError(.io, "cannot read \(path) at \(from): \(errnoText())") }
        return bytes
    }

    static func size(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Names in a directory, sorted; empty when it does not exist.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
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

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw RemoteClientError(.io, "cannot create directory \(current): \(errnoText())")
            }
        }
    }

    /// Replaces a file atomically: write a temporary file, fsync, rename, fsync the directory.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw RemoteClientError(.io, "cannot create \(tmp): \(errnoText())") }
        var ok = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress, raw.count) == raw.count }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp, path) == 0 else { throw RemoteClientError(.io, "cannot write \(path): \(errnoText())") }
        let dir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// A second name for a file (so it outlives the WAL's own deletion); false when `from` is gone.
    static func hardLink(_ from: String, _ to: String) throws -> Bool {
        if link(from, to) == 0 || errno == EEXIST { return true }
        if errno == ENOENT { return false }
        throw RemoteClientError(.io, "cannot link \(from) to \(to): \(errnoText())")
    }

    static func remove(_ path: String) { unlink(path) }
}
