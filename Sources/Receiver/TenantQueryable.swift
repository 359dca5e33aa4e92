public import PromModel
public import StorageAPI
import TSDB

/// One tenant's data as a single source: the head and local blocks, plus the bucket's blocks
/// that are not also on local disk (a block is served from one place only).
///
/// Where the bucket holds downsampled blocks, each sub-range of a query is read at one resolution
/// (``ResolutionPlan``): by default the finest that exists there; ``reading(_:)`` forces a coarser
/// one, like Thanos' `max_source_resolution`. Pending delete requests are filtered at query time.
/// Streamed remote read (chunks) serves raw data only.
public struct TenantQueryable: Queryable, ChunkQueryable, MultiResolutionQueryable {
    public let handle: TenantHandle
    public let bucketBlocks: BucketBlocks
    /// Which resolutions queries read.
    public var resolution: SourceResolution = .finest

    public init(handle: TenantHandle, bucketBlocks: BucketBlocks) {
        self.handle = handle
        self.bucketBlocks = bucketBlocks
    }

    public func reading(_ resolution: SourceResolution) -> any Queryable {
        var copy = self
        copy.resolution = resolution
        return copy
    }

    private func remoteBlocks(_ mint: Timestamp, _ maxt: Timestamp) async -> [Block] {
        let local = Set(handle.storage.localBlocks().map(\.ulid))
        return await bucketBlocks.blocks(overlapping: mint, maxt, excluding: local)
    }

    public func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
        let blocks = await remoteBlocks(mint, maxt)
        let deletions = await bucketBlocks.deletions
        let local = handle.storage.localBlocks()
        let segments = Self.plan(blocks: blocks, local: local, mint: mint.ms, maxt: maxt.ms, resolution)
        let coarse = Set(segments.map(\.resolution)).subtracting([0])
        var sources = [MergeQuerier.Source(try await handle.storage.querier(mint: mint, maxt: maxt))]
        for block in blocks where Self.resolution(of: block.meta) == 0 {
            guard segments.contains(where: { $0.resolution == 0 && block.minTime.ms <= $0.end && block.maxTime.ms > $0.start })
            else { continue }
            sources.append(.init(try await block.querier(mint: mint, maxt: maxt)))
        }
        let raw = MergeQuerier(sources)
        if coarse.isEmpty && deletions.isEmpty && resolution == .finest { return raw }
        var coarseBlocks: [Int64: [Block]] = [:]
        for block in blocks where coarse.contains(Self.resolution(of: block.meta)) {
            coarseBlocks[Self.resolution(of: block.meta), default: []].append(block)
        }
        return ResolutionQuerier(
            raw: raw, segments: segments, coarseBlocks: coarseBlocks, deletions: deletions, mint: mint, maxt: maxt)
    }

    public func chunkQuerier(mint: Timestamp, maxt: Timestamp) async throws -> any ChunkQuerier {
        var sources: [any ChunkQuerier] = [try await handle.storage.chunkQuerier(mint: mint, maxt: maxt)]
        for block in await remoteBlocks(mint, maxt) where Self.resolution(of: block.meta) == 0 {
            sources.append(try await block.chunkQuerier(mint: mint, maxt: maxt))
        }
        return MergeChunkQuerier(sources)
    }

    static func resolution(of meta: BlockMeta) -> Int64 { meta.thanos?.downsample.resolution ?? 0 }

    /// Which resolution answers each piece of `[mint, maxt]`. Local blocks count as raw blocks,
    /// and the head as a raw block from the end of the newest block on.
    static func plan(
        blocks: [Block], local: [LocalBlock], mint: Int64, maxt: Int64, _ resolution: SourceResolution
    ) -> [ResolutionSegment] {
        var metas = blocks.map(\.meta)
        for l in local { metas.append(BlockMeta(ulid: ULID(l.ulid) ?? ULID(high: 0, low: 0), minTime: l.minTime.ms, maxTime: l.maxTime.ms)) }
        let headFrom = max(mint, metas.map(\.maxTime).max() ?? mint)
        metas.append(BlockMeta(ulid: ULID(high: 0, low: 0), minTime: headFrom, maxTime: Int64.max))
        let maxSource: Int64
        switch resolution {
        case .finest: maxSource = 0
        case .atMost(let r):
            maxSource = r
            if r == 0 { metas = metas.filter { Self.resolution(of: $0) == 0 } }
        }
        return ResolutionPlan.plan(metas, start: mint, end: maxt, maxSourceResolution: maxSource)
            .map { ResolutionSegment(start: $0.start, end: $0.end, resolution: $0.resolution) }
    }
}
