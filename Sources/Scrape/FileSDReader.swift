public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Decodes the target groups of a YAML file_sd file. Scrape has no YAML parser of its own (only
/// the CLI links Yams), so the CLI injects one.
public typealias TargetGroupDecoder = @Sendable (Data) throws -> [StaticConfiguration]

/// Reads the files of one `file_sd_configs` entry, re-reading a file only when its modification
/// time or size changes. A file that fails to read or decode keeps its last good groups, as in Prometheus.
struct FileSDReader {
    let config: FileSDConfiguration
    let decodeYAML: TargetGroupDecoder?
    /// The largest file read, so a runaway generator cannot exhaust memory.
    static let maxFileSize = 16 << 20

    private var stamps: [String: (Date, Int)] = [:]
    private(set) var groups: [String: [StaticConfiguration]] = [:]
    /// The last problem per file, for logs.
    private(set) var errors: [String: String] = [:]

    init(config: FileSDConfiguration, decodeYAML: TargetGroupDecoder?) {
        self.config = config
        self.decodeYAML = decodeYAML
    }

    /// Every group from every file, in file order.
    var allGroups: [StaticConfiguration] { groups.keys.sorted().flatMap { groups[$0]! } }

    /// Re-reads changed files and forgets deleted ones.
    /// - Returns: whether any group changed.
    mutating func refresh() -> Bool {
        let paths = Set(config.files.flatMap(Self.expand))
        var changed = false
        for gone in groups.keys where !paths.contains(gone) {
            groups[gone] = nil
            stamps[gone] = nil
            changed = true
        }
        for path in paths.sorted() {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let mtime = attributes[.modificationDate] as? Date
            else { continue }
            let size = (attributes[.size] as? Int) ?? 0
            if let old = stamps[path], old.0 == mtime, old.1 == size { continue }
            stamps[path] = (mtime, size)
            do {
                let read = try read(path, size: size)
                if groups[path] != read {
                    groups[path] = read
                    changed = true
                }
                errors[path] = nil
            } catch {
                errors[path] = "\(error)"
            }
        }
        return changed
    }

    private func read(_ path: String, size: Int) throws -> [StaticConfiguration] {
        guard size <= Self.maxFileSize else {
            throw ConfigError(path: path, "file_sd file larger than \(Self.maxFileSize) bytes")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ConfigError(path: path, "cannot open") }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: Self.maxFileSize) ?? Data()
        var groups: [StaticConfiguration]
        if path.hasSuffix(".json") {
            do { groups = try JSONDecoder().decode([StaticConfiguration].self, from: data) } catch let e
                as DecodingError
            {
                throw ConfigError(e)
            }
        } else {
            guard let decodeYAML else { throw ConfigError(path: path, "no YAML decoder configured for file_sd") }
            groups = try decodeYAML(data)
        }
        for (i, g) in groups.enumerated() {
            try g.validate(path: "\(path)[\(i)]")
            groups[i].source = path
        }
        return groups
    }

    /// Expands a `*`/`?` pattern in the file name (as Prometheus allows) to the existing files.
    static func expand(_ pattern: String) -> [String] {
        guard pattern.contains("*") || pattern.contains("?") || pattern.contains("[") else { return [pattern] }
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { i in result.gl_pathv[i].map { String(cString: $0) } }
    }
}
