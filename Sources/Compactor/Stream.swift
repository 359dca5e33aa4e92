public import TSDB

/// A compaction stream: blocks of one tenant with the same external labels (replica labels
/// ignored) and the same resolution. Blocks of different streams are never merged.
public struct StreamKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// External labels without the replica labels, sorted by name.
    public var labels: [Label]
    /// Downsampling resolution in milliseconds; 0 for raw.
    public var resolution: Int64

    /// A labelled pair of strings (external label).
    public struct Label: Hashable, Sendable, Comparable {
        /// Label name.
        public var name: String
        /// Label value.
        public var value: String
        public static func < (a: Label, b: Label) -> Bool { (a.name, a.value) < (b.name, b.value) }
    }

    /// The stream of `meta`, ignoring `replicaLabels`.
    public init(_ meta: BlockMeta, replicaLabels: Set<String>) {
        let external = meta.thanos?.labels ?? [:]
        labels = external.filter { !replicaLabels.contains($0.key) }.map { Label(name: $0.key, value: $0.value) }.sorted()
        resolution = meta.thanos?.downsample.resolution ?? 0
    }

    /// The same labels at another resolution.
    public func at(resolution: Int64) -> StreamKey {
        var copy = self
        copy.resolution = resolution
        return copy
    }

    /// The labels as a dictionary, for a `thanos` meta section.
    public var labelDictionary: [String: String] {
        Dictionary(labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    public static func < (a: StreamKey, b: StreamKey) -> Bool {
        if a.labels != b.labels { return a.labels.lexicographicallyPrecedes(b.labels) }
        return a.resolution < b.resolution
    }

    public var description: String {
        let l = labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
        let r = resolution == 0 ? "raw" : resolution == CompactorConfiguration.resolution5m ? "5m"
            : resolution == CompactorConfiguration.resolution1h ? "1h" : "\(resolution)ms"
        return "{\(l)}@\(r)"
    }
}

/// A unit of work the planner hands to the compactor.
public enum Job: Hashable, Sendable, CustomStringConvertible {
    /// Merge `sources` (sorted by time) into one block; `vertical` when some of them overlap.
    case compact(stream: StreamKey, sources: [BlockMeta], vertical: Bool)
    /// Write a copy of `source` at the coarser `resolution`.
    case downsample(stream: StreamKey, source: BlockMeta, resolution: Int64)
    /// `block`'s data is wholly contained in `by` (a crash between upload and marking): mark it.
    case dropSuperseded(block: BlockMeta, by: ULID)

    public var description: String {
        switch self {
        case .compact(let stream, let sources, let vertical):
            let span = "[\(sources.map(\.minTime).min() ?? 0), \(sources.map(\.maxTime).max() ?? 0))"
            return "\(vertical ? "vertical " : "")compact \(stream) \(sources.count) blocks \(span): "
                + sources.map(\.ulid.description).joined(separator: " ")
        case .downsample(let stream, let source, let resolution):
            return "downsample \(stream) \(source.ulid) [\(source.minTime), \(source.maxTime)) to \(resolution)ms"
        case .dropSuperseded(let block, let by):
            return "drop \(block.ulid): all its sources are in \(by)"
        }
    }
}
