import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Blocking POSIX file helpers for ``FilesystemBucket``; callers run them off the cooperative pool.
enum FileIO {
    private static func errorText() -> String { String(cString: strerror(errno)) }

    static func regularFileSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    static func readAll(_ path: String, key: String) throws -> [UInt8] {
        guard let size = regularFileSize(path) else { throw ObjectStoreError(.notFound, "object \(key) does not exist") }
        return try readRange(path, key: key, offset: 0, length: size)
    }

    static func readRange(_ path: String, key: String, offset: Int, length: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw ObjectStoreError(.notFound, "object \(key) does not exist") }
            throw ObjectStoreError(.io, "cannot open \(key): \(errorText())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ObjectStoreError(.io, "cannot stat \(key): \(errorText())") }
        // Bound the allocation by what the file really holds, not by what was asked for.
        let available = max(0, Int(st.st_size) - offset)
        let want = min(length, available)
        var out = [UInt8](repeating: 0, count: want)
        var done = 0
        while done < want {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, want - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ObjectStoreError(.io, "cannot read \(key) at offset \(offset + done): \(errorText())")
            }
            if n == 0 { break }
            done += n
        }
        if done < want { out.removeLast(want - done) }
        return out
    }

    /// Writes `data` to a temporary sibling, fsyncs it, renames it over `path`, fsyncs the directory.
    static func writeAtomically(_ path: String, data: [UInt8]) throws {
        try writeAtomically(path) { fd in
            var done = 0
            while done < data.count {
                let n = data.withUnsafeBytes { write(fd, $0.baseAddress! + done, data.count - done) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ObjectStoreError(.io, "cannot write \(path): \(errorText())")
                }
                done += n
            }
        }
    }

    static func copyAtomically(from source: String, to path: String) throws {
        let src = open(source, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { throw ObjectStoreError(.notFound, "cannot open \(source): \(errorText())") }
        defer { close(src) }
        try writeAtomically(path) { fd in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(src, $0.baseAddress!, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ObjectStoreError(.io, "cannot read \(source): \(errorText())")
                }
                if n == 0 { break }
                var done = 0
                while done < n {
                    let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, n - done) }
                    if w < 0 {
                        if errno == EINTR { continue }
                        throw ObjectStoreError(.io, "cannot write \(path): \(errorText())")
                    }
                    done += w
                }
            }
        }
    }

    private static func writeAtomically(_ path: String, _ fill: (Int32) throws -> Void) throws {
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError(.io, "cannot create directory \(dir)", underlying: error)
        }
        let name = (path as NSString).lastPathComponent
        let tmp = dir + "/." + name + FilesystemBucket.temporaryMarker + UUID().uuidString
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ObjectStoreError(.io, "cannot create \(tmp): \(errorText())") }
        do {
            try fill(fd)
            guard fsync(fd) == 0 else { throw ObjectStoreError(.io, "cannot fsync \(tmp): \(errorText())") }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        close(fd)
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw ObjectStoreError(.io, "cannot rename \(tmp) to \(path): \(errorText())")
        }
        syncDirectory(dir)
    }

    /// Makes a rename durable; best effort, as some filesystems refuse fsync on directories.
    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}
