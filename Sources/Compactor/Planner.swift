public import TSDB

/// Decides what to do with one tenant's blocks. Pure: no I/O, no clock, so every rule is a table test.
///
/// Per stream, in order of priority:
/// 1. blocks whose sources another block of the stream already contains are dropped (this heals a
///    crash between uploading a compacted block and marking its sources);
/// 2. overlapping blocks are merged vertically (HA replicas, late uploads);
/// 3. blocks are merged into the smallest configured range that has a group ready: two or more
///    blocks inside one aligned range, and the range either fully covered or followed by newer data;
/// 4. only when a stream has no compaction left: raw blocks spanning ≥ 40h get a 5m copy, 5m blocks
///    spanning ≥ 10d a 1h copy, unless a block of that resolution already holds their sources.
/// Blocks with a no-compact mark take part in no job.
public struct Planner: Sendable {
    /// Compaction ranges, ascending.
    public var levelsMs: [Int64]
    /// External labels ignored when forming streams.
    public var replicaLabels: Set<String>
    /// Whether downsampling jobs are planned, and from what block span.
    public var downsampleEnabled: Bool
    public var downsample5mAfterMs: Int64
    public var downsample1hAfterMs: Int64

    /// A planner following `configuration`.
    public init(_ configuration: CompactorConfiguration) {
        levelsMs = configuration.levelsMs
        replicaLabels = Set(configuration.replicaLabels)
        downsampleEnabled = configuration.downsampleEnabled
        downsample5mAfterMs = configuration.downsample5mAfterMs
        downsample1hAfterMs = configuration.downsample1hAfterMs
    }

    /// Jobs for one tenant's blocks (those without a deletion mark).
    /// - Parameters:
    ///   - blocks: metas of the tenant's complete blocks, any order.
    ///   - noCompact: blocks that must not be touched.
    /// - Returns: jobs whose sources are disjoint, streams in a stable order.
    public func plan(_ blocks: [BlockMeta], noCompact: Set<ULID> = []) -> [Job] {
        var streams: [StreamKey: [BlockMeta]] = [:]
        for b in blocks { streams[StreamKey(b, replicaLabels: replicaLabels), default: []].append(b) }
        var jobs: [Job] = []
        for key in streams.keys.sorted() {
            let all = streams[key]!.sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
            let superseded = supersededJobs(all).filter { !noCompact.contains($0.block.ulid) }
            if !superseded.isEmpty {
                jobs += superseded
                continue
            }
            let usable = all.filter { !noCompact.contains($0.ulid) }
            let compactions = verticalJobs(usable, key) ?? horizontalJobs(usable, key)
            if !compactions.isEmpty {
                jobs += compactions
                continue
            }
            if downsampleEnabled { jobs += downsampleJobs(usable, key, existing: streams) }
        }
        return jobs
    }

    /// Blocks whose sources are a subset of another block's in the same stream.
    func supersededJobs(_ blocks: [BlockMeta]) -> [Job] {
        var jobs: [Job] = []
        for b in blocks {
            let mine = Set(b.compaction.sources)
            let cover = blocks.first { other in
                guard other.ulid != b.ulid else { return false }
                let theirs = Set(other.compaction.sources)
                // Equal source sets: keep the higher level, then the newer ULID, so exactly one survives.
                if theirs == mine { return (other.compaction.level, other.ulid) > (b.compaction.level, b.ulid) }
                return mine.isSubset(of: theirs)
            }
            if let cover { jobs.append(.dropSuperseded(block: b, by: cover.ulid)) }
        }
        return jobs
    }

    /// Groups of time-overlapping blocks; nil when nothing overlaps.
    func verticalJobs(_ sorted: [BlockMeta], _ key: StreamKey) -> [Job]? {
        var jobs: [Job] = []
        var group: [BlockMeta] = []
        var groupMax = Int64.min
        func flush() {
            if group.count > 1 { jobs.append(.compact(stream: key, sources: group, vertical: true)) }
        }
        for b in sorted {
            if !group.isEmpty && b.minTime >= groupMax {
                flush()
                group = []
            }
            group.append(b)
            groupMax = group.count == 1 ? b.maxTime : max(groupMax, b.maxTime)
        }
        flush()
        return jobs.isEmpty ? nil : jobs
    }

    /// Groups for the smallest range that has one ready.
    func horizontalJobs(_ sorted: [BlockMeta], _ key: StreamKey) -> [Job] {
        guard let newest = sorted.map(\.maxTime).max() else { return [] }
        for range in levelsMs.dropFirst() {
            var buckets: [Int64: [BlockMeta]] = [:]
            for b in sorted {
                let start = floorDiv(b.minTime, range) * range
                if b.maxTime <= start + range && b.maxTime - b.minTime < range { buckets[start, default: []].append(b) }
            }
            var jobs: [Job] = []
            for start in buckets.keys.sorted() {
                let group = buckets[start]!
                guard group.count > 1 else { continue }
                let full = group.first!.minTime == start && group.map(\.maxTime).max() == start + range
                if full || newest > start + range { jobs.append(.compact(stream: key, sources: group, vertical: false)) }
            }
            if !jobs.isEmpty { return jobs }
        }
        return []
    }

    /// Downsampling copies not made yet.
    func downsampleJobs(_ sorted: [BlockMeta], _ key: StreamKey, existing: [StreamKey: [BlockMeta]]) -> [Job] {
        let target: Int64
        let minSpan: Int64
        switch key.resolution {
        case 0: (target, minSpan) = (CompactorConfiguration.resolution5m, downsample5mAfterMs)
        case CompactorConfiguration.resolution5m: (target, minSpan) = (CompactorConfiguration.resolution1h, downsample1hAfterMs)
        default: return []
        }
        let done = (existing[key.at(resolution: target)] ?? []).map { Set($0.compaction.sources) }
        return sorted.compactMap { b in
            guard b.maxTime - b.minTime >= minSpan else { return nil }
            let sources = Set(b.compaction.sources)
            if done.contains(where: { sources.isSubset(of: $0) }) { return nil }
            return .downsample(stream: key, source: b, resolution: target)
        }
    }
}

extension Job {
    /// The block a ``Job/dropSuperseded(block:by:)`` job marks; irrelevant for other jobs.
    fileprivate var block: BlockMeta {
        switch self {
        case .dropSuperseded(let block, _): block
        case .compact(_, let sources, _): sources[0]
        case .downsample(_, let source, _): source
        }
    }
}

/// Division rounding toward negative infinity, so ranges align for negative timestamps too.
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
