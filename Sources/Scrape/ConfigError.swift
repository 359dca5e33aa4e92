import PromModel

/// A configuration problem, naming the field path the way a user finds it in the YAML file,
/// e.g. `scrape_configs[0].relabel_configs[1].actoin: unknown field`.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Dotted field path with `[i]` for list elements; empty for the document itself.
    public var path: String
    /// What is wrong with the field.
    public var message: String

    /// Creates an error for a field path.
    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// Creates an error for a decoder's coding path.
    public init(codingPath: [any CodingKey], _ message: String) {
        self.init(path: Self.format(codingPath), message)
    }

    /// Translates any decoder's `DecodingError` (Yams, JSON) into a path-naming error.
    public init(_ error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init(codingPath: context.codingPath, "expected \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            self.init(codingPath: context.codingPath, "expected \(Self.typeName(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(codingPath: context.codingPath + [key], "missing required field")
        case .dataCorrupted(let context):
            // Yams reports syntax errors as "not valid YAML" with the line and column in the underlying error.
            let detail = context.underlyingError.map { ": \($0)" } ?? ""
            self.init(codingPath: context.codingPath, context.debugDescription + detail)
        @unknown default:
            self.init(path: "", "\(error)")
        }
    }

    /// The description.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    /// Formats a coding path as `a.b[2].c`.
    public static func format(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let i = key.intValue {
                out += "[\(i)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type, is UInt.Type: "an integer"
        case is Double.Type: "a number"
        default:
            // Yams names its node types (Scalar, Sequence, Mapping) instead of the Swift type.
            switch "\(type)" {
            case let t where t.hasPrefix("Array") || t.hasSuffix("Sequence"): "a list"
            case let t where t.hasSuffix("Scalar"): "a single value"
            default: "a mapping"
            }
        }
    }
}

/// A coding key for any field name, used to list the keys a document really has.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// Rejects any key of the current mapping that `Keys` does not list, so a typo never silently
    /// falls back to a default. Works with every `Decoder`, so the CLI's Yams decoder needs no help.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_: Keys.Type, also extra: [String] = []) throws {
        let container = try self.container(keyedBy: AnyKey.self)
        let known = Set(Keys.allCases.map(\.stringValue) + extra)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw ConfigError(codingPath: codingPath + [key], "unknown field")
        }
    }
}

extension KeyedDecodingContainer {
    /// The value of `key`, or `fallback` when the key is absent or null.
    func decode<T: Decodable>(_ key: Key, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

/// A duration in Prometheus' syntax (`15s`, `1m30s`) in a config file.
public struct ConfigDuration: Decodable, Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The length in milliseconds.
    public var milliseconds: Int64

    /// Creates a duration from milliseconds.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Creates a duration from seconds.
    public static func seconds(_ s: Int64) -> ConfigDuration { ConfigDuration(milliseconds: s * 1000) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { milliseconds = try PrometheusDuration.parseMilliseconds(text) } catch {
            throw ConfigError(codingPath: decoder.codingPath, "\(error)")
        }
    }

    /// The span as a Swift `Duration`.
    public var duration: Duration { .milliseconds(milliseconds) }
    /// The description.
    public var description: String { PrometheusDuration.format(milliseconds: milliseconds) }
    public static func < (a: ConfigDuration, b: ConfigDuration) -> Bool { a.milliseconds < b.milliseconds }
}

/// A byte size in Prometheus' syntax (`10MB`, `512KiB`, `0` for no limit).
public struct ConfigByteSize: Decodable, Hashable, Sendable {
    /// The size in bytes; 0 means unlimited.
    public var bytes: Int

    /// Creates a size in bytes.
    public init(bytes: Int) { self.bytes = bytes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            bytes = n
            return
        }
        let text = try c.decode(String.self)
        guard let n = Self.parse(text) else {
            throw ConfigError(codingPath: decoder.codingPath, "invalid size \"\(text)\" (use e.g. 512KB, 10MB, 1GiB)")
        }
        bytes = n
    }

    static func parse(_ text: String) -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard let n = Int(digits) else { return nil }
        let units: [String: Int] = [
            "": 1, "B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40,
            "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
        ]
        guard let unit = units[String(text.dropFirst(digits.count))] else { return nil }
        let (r, overflow) = n.multipliedReportingOverflow(by: unit)
        return overflow ? nil : r
    }
}
