public import PromModel
public import StorageAPI
import TSDB

/// One tenant's data as a single source: the head and local blocks, plus the bucket's blocks
/// that are not also on local disk (a block is served from one place only).
public struct TenantQueryable: Queryable, ChunkQueryable {
    public let handle: TenantHandle
    public let bucketBlocks: BucketBlocks

    public init(handle: TenantHandle, bucketBlocks: BucketBlocks) {
        self.handle = handle
        self.bucketBlocks = bucketBlocks
    }

    private func remoteBlocks(_ mint: Timestamp, _ maxt: Timestamp) async -> [Block] {
        let local = Set(handle.storage.localBlocks().map(\.ulid))
        return await bucketBlocks.blocks(overlapping: mint, maxt, excluding: local)
    }

    public func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier {
        var sources = [MergeQuerier.Source(try await handle.storage.querier(mint: mint, maxt: maxt))]
        for block in await remoteBlocks(mint, maxt) {
            sources.append(.init(try await block.querier(mint: mint, maxt: maxt)))
        }
        return MergeQuerier(sources)
    }

    public func chunkQuerier(mint: Timestamp, maxt: Timestamp) async throws -> any ChunkQuerier {
        var sources: [any ChunkQuerier] = [try await handle.storage.chunkQuerier(mint: mint, maxt: maxt)]
        for block in await remoteBlocks(mint, maxt) {
            sources.append(try await block.chunkQuerier(mint: mint, maxt: maxt))
        }
        return MergeChunkQuerier(sources)
    }
}
