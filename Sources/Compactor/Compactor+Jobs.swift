import Foundation
import Logging
import Metrics
import ObjectStore
import PromModel
import TSDB

extension Compactor {
    /// Runs one job; on failure marks the job's blocks no-compact and records the failure.
    func execute(_ job: Job, tenant: String, blocks: [BucketBlock], _ summary: inout CompactionSummary) async {
        do {
            switch job {
            case .compact(let stream, let sources, _):
                let requests = try await DeleteRequest.load(from: bucket, tenant: tenant)
                let ulid = try await build(tenant: tenant, sources: sources, blocks: blocks) { builder, opened, ulid in
                    try builder.merge(
                        opened, ulid: ulid, replicaLabels: Set(configuration.replicaLabels),
                        thanos: .init(labels: stream.labelDictionary, downsample: .init(resolution: stream.resolution), source: "compactor"),
                        deleteRequests: requests)
                }
                for s in sources { try await markForDeletion(tenant: tenant, s.ulid, details: "compacted into \(ulid)") }
                summary.blocksCompacted += 1
                summary.sourceBlocksCompacted += sources.count
                summary.markedForDeletion += sources.count
                Counter(label: "hearth_compact_done_compactions_total").increment()
            case .downsample(let stream, let source, let resolution):
                let requests = try await DeleteRequest.load(from: bucket, tenant: tenant)
                _ = try await build(tenant: tenant, sources: [source], blocks: blocks) { builder, opened, ulid in
                    try builder.downsample(
                        opened[0], ulid: ulid, resolution: resolution,
                        thanos: .init(labels: stream.labelDictionary, downsample: .init(resolution: resolution), source: "compactor"),
                        deleteRequests: requests)
                }
                summary.blocksDownsampled += 1
                Counter(label: "hearth_compact_done_downsamples_total").increment()
            case .dropSuperseded(let block, let by):
                try await markForDeletion(tenant: tenant, block.ulid, details: "superseded by \(by)")
                summary.markedForDeletion += 1
            }
        } catch {
            summary.failures.append("\(tenant): \(job): \(error)")
            Counter(label: "hearth_compact_failed_jobs_total").increment()
            logger.error("job failed; marking its blocks no-compact", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
            for meta in job.sources {
                let mark = NoCompactMark(
                    id: meta.ulid.description, reason: "compaction-failed", details: "\(job): \(error)", noCompactTime: now() / 1000)
                do {
                    try await bucket.put("\(tenant)/\(meta.ulid)/\(NoCompactMark.fileName)", try mark.markerJSON())
                    summary.markedNoCompact += 1
                } catch {
                    summary.failures.append("\(tenant): cannot mark \(meta.ulid) no-compact: \(error)")
                }
            }
        }
    }

    /// Opens the sources, builds a new block in scratch space, uploads it with `meta.json` last and
    /// removes the local copy.
    /// - Returns: the new block's ULID.
    private func build(
        tenant: String, sources: [BlockMeta], blocks: [BucketBlock],
        _ body: @escaping @Sendable (BlockBuilder, [Block], ULID) throws -> BlockMeta
    ) async throws -> ULID {
        let ulid = ULID(time: Timestamp(ms: now()))
        let work = scratchDirectory + "/" + ulid.description
        try FileManager.default.createDirectory(atPath: work + "/sources", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var directories: [String] = []
        for meta in sources {
            guard let block = blocks.first(where: { $0.tenant == tenant && $0.meta.ulid == meta.ulid }) else {
                throw CompactorError(.io, "block \(tenant)/\(meta.ulid) vanished from the bucket")
            }
            directories.append(try await localDirectory(of: block, scratch: work + "/sources"))
        }
        let builder = BlockBuilder(directory: work)
        let dirs = directories
        let meta = try await Self.blocking {
            let opened = try dirs.map { try Block.open(directory: $0) }
            return try body(builder, opened, ulid)
        }
        try await upload(directory: work + "/" + ulid.description, prefix: "\(tenant)/\(ulid)/")
        logger.info(
            "uploaded block",
            metadata: ["tenant": "\(tenant)", "block": "\(ulid)", "series": "\(meta.stats.numSeries)", "samples": "\(meta.stats.numSamples)"])
        return ulid
    }

    /// A local directory holding the block: the object directory itself for a filesystem bucket,
    /// otherwise a download (meta.json last).
    private func localDirectory(of block: BucketBlock, scratch: String) async throws -> String {
        if let fs = bucket as? FilesystemBucket { return try fs.localPath(String(block.prefix.dropLast())) }
        let dir = scratch + "/" + block.meta.ulid.description
        let ordered = block.keys.filter { !$0.hasSuffix("/" + BlockMeta.fileName) } + [block.prefix + BlockMeta.fileName]
        for key in ordered {
            let rel = String(key.dropFirst(block.prefix.count))
            let path = dir + "/" + rel
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data(try await bucket.get(key))) else {
                throw CompactorError(.io, "cannot write \(path) while downloading \(key)")
            }
        }
        return dir
    }

    /// Uploads a block directory: chunks, index, tombstones, then `meta.json`.
    private func upload(directory: String, prefix: String) async throws {
        let fm = FileManager.default
        var files = try fm.contentsOfDirectory(atPath: directory + "/chunks").sorted().map { "chunks/" + $0 }
        files.append("index")
        if fm.fileExists(atPath: directory + "/tombstones") { files.append("tombstones") }
        for file in files { try await bucket.upload(prefix + file, fromFile: directory + "/" + file) }
        try await bucket.upload(prefix + BlockMeta.fileName, fromFile: directory + "/" + BlockMeta.fileName)
    }

    /// Runs blocking file work (mmap, index reads, block writes) off the cooperative pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}

extension Job {
    /// The bucket blocks the job reads.
    var sources: [BlockMeta] {
        switch self {
        case .compact(_, let sources, _): sources
        case .downsample(_, let source, _): [source]
        case .dropSuperseded(let block, _): [block]
        }
    }
}
