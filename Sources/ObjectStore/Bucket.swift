/// An object store laid out as keys with `/` separators, as S3, GCS and Thanos' buckets are.
///
/// Contract for implementations:
/// - Thread-safe: any method may be called from several tasks at once.
/// - `put` is atomic: readers see either the old object or the whole new one, never a part.
/// - `list` returns keys in ascending byte order. With a delimiter, keys that continue past the
///   next delimiter after `prefix` collapse into one "directory" entry ending in the delimiter.
/// - Keys are relative (no leading `/`), contain no empty, `.` or `..` segments; implementations
///   MUST reject such keys with ``ObjectStoreError/Code/invalidKey``.
public protocol Bucket: Sendable {
    /// The whole object.
    /// - Throws: ``ObjectStoreError`` with code `notFound` when absent.
    func get(_ key: String) async throws -> [UInt8]

    /// `length` bytes from `offset` (fewer at the end of the object).
    func getRange(_ key: String, offset: Int, length: Int) async throws -> [UInt8]

    /// Writes an object atomically, replacing any previous one.
    func put(_ key: String, _ data: [UInt8]) async throws

    /// Uploads a local file as an object, streaming rather than loading it whole where possible.
    func upload(_ key: String, fromFile path: String) async throws

    /// Keys (and, with a delimiter, directory entries) under `prefix`.
    func list(prefix: String, delimiter: String?) async throws -> [String]

    /// Deletes an object; deleting an absent object is not an error (idempotent).
    func delete(_ key: String) async throws

    /// Whether the object exists.
    func exists(_ key: String) async throws -> Bool

    /// Size of the object in bytes.
    func size(_ key: String) async throws -> Int
}

extension Bucket {
    /// Lists immediate children of `prefix` with `/` as delimiter.
    public func listDirectory(_ prefix: String) async throws -> [String] {
        try await list(prefix: prefix, delimiter: "/")
    }

    /// Deletes every object under `prefix`.
    public func deleteAll(prefix: String) async throws {
        for key in try await list(prefix: prefix, delimiter: nil) { try await delete(key) }
    }
}
