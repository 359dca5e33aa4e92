import PromModel

/// The content of a block's `meta.json`. See <doc:BlockFormat>.
///
/// Field names match Prometheus; unknown fields are ignored when decoding.
public struct BlockMeta: Codable, Hashable, Sendable {
    /// The block's ULID; also its directory name.
    public var ulid: ULID
    /// First millisecond covered, inclusive.
    public var minTime: Int64
    /// End of the covered range, exclusive (Prometheus' convention).
    public var maxTime: Int64
    /// Counts of the block content.
    public var stats: Stats
    /// Compaction level and lineage.
    public var compaction: Compaction
    /// Format version of the meta file; always 1.
    public var version: Int
    /// Thanos' extension, filled by the receiver before upload; absent in plain Prometheus blocks.
    public var thanos: ThanosMeta?

    /// Counts over the block's content.
    public struct Stats: Codable, Hashable, Sendable {
        /// Samples in all chunks.
        public var numSamples: UInt64
        /// Series in the index.
        public var numSeries: UInt64
        /// Chunks in the segment files.
        public var numChunks: UInt64
        /// Deleted intervals recorded in `tombstones`; absent when none.
        public var numTombstones: UInt64?

        /// Statistics with the given counts.
        public init(numSamples: UInt64 = 0, numSeries: UInt64 = 0, numChunks: UInt64 = 0, numTombstones: UInt64? = nil) {
            self.numSamples = numSamples
            self.numSeries = numSeries
            self.numChunks = numChunks
            self.numTombstones = numTombstones
        }
    }

    /// A block merged into this one.
    public struct Parent: Codable, Hashable, Sendable {
        /// The parent block and its range (`maxTime` exclusive).
        public var ulid: ULID
        public var minTime: Int64
        public var maxTime: Int64

        /// A parent entry.
        public init(ulid: ULID, minTime: Int64, maxTime: Int64) {
            self.ulid = ulid
            self.minTime = minTime
            self.maxTime = maxTime
        }
    }

    /// Where the block's data came from.
    public struct Compaction: Codable, Hashable, Sendable {
        /// 1 for a block cut from the head; parents' highest level + 1 after compaction.
        public var level: Int
        /// ULIDs of the level-1 blocks whose data this block contains.
        public var sources: [ULID]
        /// Blocks merged into this one; absent for level 1.
        public var parents: [Parent]?
        /// Set by a compactor when compacting this block failed.
        public var failed: Bool?
        /// Set when a compactor has marked the block for deletion.
        public var deletable: Bool?

        /// Compaction info; a fresh head block is level 1 and its own source.
        public init(level: Int = 1, sources: [ULID] = [], parents: [Parent]? = nil) {
            self.level = level
            self.sources = sources
            self.parents = parents
        }
    }

    /// Thanos' `thanos` section.
    public struct ThanosMeta: Codable, Hashable, Sendable {
        /// External labels identifying the producer (tenant, replica, …).
        public var labels: [String: String]
        /// Resolution of the block's samples.
        public var downsample: Downsample
        /// Which component produced the block, e.g. `receive`, `compactor`.
        public var source: String?

        /// Downsampling resolution in milliseconds; 0 for raw data.
        public struct Downsample: Codable, Hashable, Sendable {
            /// Milliseconds between downsampled points; 0 for raw data.
            public var resolution: Int64
            /// A downsampling resolution in milliseconds.
            public init(resolution: Int64 = 0) { self.resolution = resolution }
        }

        /// A Thanos section; `source` names the producing component.
        public init(labels: [String: String] = [:], downsample: Downsample = .init(), source: String? = nil) {
            self.labels = labels
            self.downsample = downsample
            self.source = source
        }
    }

    /// A version-1 meta; `compaction` defaults to level 1 with the block as its only source.
    public init(
        ulid: ULID, minTime: Int64, maxTime: Int64, stats: Stats = .init(), compaction: Compaction? = nil,
        thanos: ThanosMeta? = nil
    ) {
        self.ulid = ulid
        self.minTime = minTime
        self.maxTime = maxTime
        self.stats = stats
        self.compaction = compaction ?? Compaction(level: 1, sources: [ulid])
        self.version = 1
        self.thanos = thanos
    }

    /// The file name inside a block directory.
    package static let fileName = "meta.json"
}
