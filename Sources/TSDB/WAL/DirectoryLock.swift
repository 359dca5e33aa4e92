#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<directory>/lock`, so two processes (or two opens in one process) never
/// share a data directory. Released by ``release()`` or when the process exits, however it exits.
public final class DirectoryLock: @unchecked Sendable {
    // @unchecked: `fd` is written once in init and once in release(), which callers do not race.
    private var fd: Int32
    /// The lock file's path.
    public let path: String

    /// Takes the lock.
    /// - Throws: ``TSDBError`` `.locked` when another holder has it, `.io` when the file can't be opened.
    public init(directory: String) throws {
        path = directory + "/lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DiskIO.fail("open lock file", path) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let text = DiskIO.errnoText()
            _ = close(fd)
            fd = -1
            throw TSDBError(.locked, "data directory \(directory) is locked by another process or open: \(text)")
        }
    }

    /// Releases the lock; idempotent.
    public func release() {
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        _ = close(fd)
        fd = -1
    }

    deinit { release() }
}
