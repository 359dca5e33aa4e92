/// One name/value pair of a series' identity.
public struct Label: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var name: String
    public var value: String

    @inlinable public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    @inlinable public static func < (lhs: Label, rhs: Label) -> Bool {
        lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name
    }

    public var description: String { "\(name)=\"\(value)\"" }
}

/// Well-known label names.
public enum LabelName {
    /// The metric name label.
    public static let metricName = "__name__"
}
