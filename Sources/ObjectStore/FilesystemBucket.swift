import Foundation
public import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A ``Bucket`` on a local directory: object `a/b/c` is the file `<root>/a/b/c`.
///
/// Writes go to a hidden temporary file in the target directory, are fsynced, and renamed into
/// place, so a crash never leaves a partial object under its final name. Blocking calls run on
/// NIO's thread pool, never on the cooperative pool.
public struct FilesystemBucket: Bucket {
    /// The bucket's root directory.
    public let root: String
    private let pool: NIOThreadPool

    /// Temporary files carry this marker; listings hide them.
    static let temporaryMarker = ".tmp-hearth-"

    /// Opens (creating if needed) a bucket rooted at `root`.
    public init(root: String, threadPool: NIOThreadPool = .singleton) throws {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        self.pool = threadPool
        do {
            try FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError(.io, "cannot create bucket directory \(self.root)", underlying: error)
        }
    }

    /// The file path of an object (for callers that can use a local file directly, e.g. mmap).
    public func localPath(_ key: String) throws -> String {
        try validateObjectKey(key)
        return root + "/" + key
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    public func get(_ key: String) async throws -> [UInt8] {
        let path = try localPath(key)
        return try await run { try FileIO.readAll(path, key: key) }
    }

    public func getRange(_ key: String, offset: Int, length: Int) async throws -> [UInt8] {
        let path = try localPath(key)
        guard offset >= 0, length >= 0 else {
            throw ObjectStoreError(.invalidKey, "range offset \(offset) length \(length) of \(key) is negative")
        }
        return try await run { try FileIO.readRange(path, key: key, offset: offset, length: length) }
    }

    public func put(_ key: String, _ data: [UInt8]) async throws {
        let path = try localPath(key)
        try await run { try FileIO.writeAtomically(path, data: data) }
    }

    public func upload(_ key: String, fromFile source: String) async throws {
        let path = try localPath(key)
        try await run { try FileIO.copyAtomically(from: source, to: path) }
    }

    public func list(prefix: String, delimiter: String?) async throws -> [String] {
        let root = self.root
        return try await run { try Self.listSync(root: root, prefix: prefix, delimiter: delimiter) }
    }

    public func delete(_ key: String) async throws {
        let path = try localPath(key)
        let root = self.root
        try await run {
            if unlink(path) != 0 && errno != ENOENT {
                throw ObjectStoreError(.io, "cannot delete \(key): \(String(cString: strerror(errno)))")
            }
            // Object stores have no directories: drop parents left empty so listings match S3's.
            var dir = (path as NSString).deletingLastPathComponent
            while dir.count > root.count && rmdir(dir) == 0 { dir = (dir as NSString).deletingLastPathComponent }
        }
    }

    public func exists(_ key: String) async throws -> Bool {
        let path = try localPath(key)
        return try await run { FileIO.regularFileSize(path) != nil }
    }

    public func size(_ key: String) async throws -> Int {
        let path = try localPath(key)
        return try await run {
            guard let size = FileIO.regularFileSize(path) else { throw ObjectStoreError(.notFound, "object \(key) does not exist") }
            return size
        }
    }

    static func listSync(root: String, prefix: String, delimiter: String?) throws -> [String] {
        // Start at the deepest directory the prefix names, then filter by the full prefix.
        let slash = prefix.lastIndex(of: "/")
        let dirKey = slash.map { String(prefix[..<$0]) } ?? ""
        let dirPath = dirKey.isEmpty ? root : root + "/" + dirKey
        var keys: [String] = []
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: dirPath) else { return [] }
        for name in entries where !name.contains(temporaryMarker) {
            let key = dirKey.isEmpty ? name : dirKey + "/" + name
            guard key.hasPrefix(prefix) || (key + "/").hasPrefix(prefix) else { continue }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dirPath + "/" + name, isDirectory: &isDir) else { continue }
            if !isDir.boolValue {
                if key.hasPrefix(prefix) { keys.append(key) }
            } else if delimiter == "/" {
                if (key + "/").hasPrefix(prefix) { keys.append(key + "/") }
            } else {
                keys += try listSync(root: root, prefix: key + "/", delimiter: nil).filter { $0.hasPrefix(prefix) }
            }
        }
        return keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
