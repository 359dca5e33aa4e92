import Foundation

extension BlockMeta {
    /// The JSON bytes, keys sorted and indented like Prometheus' `meta.json`.
    public func encodedJSON() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(self)) + [0x0a]
    }

    /// Decodes `meta.json` bytes and checks the version.
    /// - Parameter file: name used in errors.
    /// - Throws: ``TSDBError`` `corruption` when the JSON is malformed or the version is not 1.
    public init(json bytes: [UInt8], file: String = "meta.json") throws(TSDBError) {
        do {
            self = try JSONDecoder().decode(BlockMeta.self, from: Data(bytes))
        } catch {
            throw TSDBError(.corruption, "\(file): cannot decode block meta (\(bytes.count) bytes) at offset 0", underlying: error)
        }
        guard version == 1 else { throw TSDBError(.corruption, "\(file): unsupported meta version \(version) at offset 0") }
        guard minTime <= maxTime else {
            throw TSDBError(.corruption, "\(file): minTime \(minTime) is after maxTime \(maxTime) at offset 0")
        }
    }

    /// Writes `<directory>/meta.json` through a temporary file and a rename, fsyncing both.
    public func write(toDirectory directory: String) throws(TSDBError) {
        let bytes: [UInt8]
        do {
            bytes = try encodedJSON()
        } catch {
            throw TSDBError(.invalidArgument, "cannot encode meta.json for block \(ulid)", underlying: error)
        }
        let tmp = directory + "/" + Self.fileName + ".tmp"
        let f = try FileWriter(path: tmp)
        try f.write(bytes)
        try f.close()
        try FileSystem.rename(tmp, to: directory + "/" + Self.fileName)
        try FileSystem.syncDirectory(directory)
    }

    /// The largest `meta.json` we accept; real ones are a few hundred bytes (Thanos' file lists
    /// make them kilobytes), so anything bigger is damage, not data.
    static let maxFileSize = 16 << 20

    /// Reads and validates `<directory>/meta.json`.
    public static func read(directory: String, displayName: String) throws(TSDBError) -> BlockMeta {
        let name = displayName + "/" + fileName
        let m = try MappedFile(path: directory + "/" + fileName)
        guard m.bytes.count <= maxFileSize else {
            throw TSDBError(.corruption, "\(name): \(m.bytes.count) bytes exceeds the \(maxFileSize)-byte limit at offset 0")
        }
        return try BlockMeta(json: Array(m.bytes), file: name)
    }
}
