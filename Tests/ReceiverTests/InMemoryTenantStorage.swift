import Foundation
import PromModel
import Receiver
import StorageAPI
import Synchronization
import TSDB

/// A tenant storage held in memory, cutting blocks with the real `BlockWriter`; for receiver tests
/// that are about the receiver's logic rather than the TSDB's.
final class InMemoryTenantStorage: TenantStorage, Sendable {
    let directory: String
    private let data = Mutex<[Labels: [Sample]]>([:])
    private let blocks = Mutex<[LocalBlock]>([])
    let closed = Atomic<Bool>(false)

    init(directory: String) { self.directory = directory }

    static func factory() -> TenantStorageFactory { { _, dir in InMemoryTenantStorage(directory: dir) } }

    struct MemAppender: Appender {
        let storage: InMemoryTenantStorage
        var pending: [(Labels, Sample)] = []

        mutating func append(ref: SeriesRef?, labels: Labels, t: Timestamp, v: Double) throws(AppendError) -> SeriesRef {
            let last = pending.last { $0.0 == labels }?.1.t ?? storage.data.withLock { $0[labels]?.last?.t }
            if let last, t < last { throw AppendError(.outOfOrder, "sample at \(t.ms) is before \(last.ms)") }
            if let last, t == last { throw AppendError(.duplicateTimestamp, "sample at \(t.ms) already exists") }
            pending.append((labels, Sample(t: t, v: v)))
            return SeriesRef(labels.stableHash)
        }

        mutating func commit() async throws {
            let p = pending
            storage.data.withLock { d in for (l, s) in p { d[l, default: []].append(s) } }
            pending = []
        }

        mutating func rollback() { pending = [] }
    }

    func appender() -> any Appender { MemAppender(storage: self) }

    func snapshot() -> [ArraySeries] {
        data.withLock { $0.map { ArraySeries(labels: $0.key, samples: $0.value) } }.sorted { $0.labels < $1.labels }
    }

    func querier(mint: Timestamp, maxt: Timestamp) async throws -> any Querier { MemQuerier(series: snapshot(), mint: mint, maxt: maxt) }

    func chunkQuerier(mint: Timestamp, maxt: Timestamp) async throws -> any ChunkQuerier {
        MemQuerier(series: snapshot(), mint: mint, maxt: maxt)
    }

    var headSeriesCount: Int { data.withLock { $0.count } }
    // Always the slow path: these tests are about validation, not the lookup shortcut.
    func existingSeriesRef(hash: UInt64, labels: [LabelBytes]) -> SeriesRef? { nil }
    func containsSeries(_ labels: Labels) -> Bool { data.withLock { $0[labels] != nil } }
    func localBlocks() -> [LocalBlock] { blocks.withLock { $0 } }

    func compact(force: Bool) async throws {
        guard force else { return }
        let series = snapshot()
        guard !series.isEmpty else { return }
        let parent = directory + "/blocks"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let meta = try BlockWriter(parentDirectory: parent).write(samples: series)
        data.withLock { $0 = [:] }
        let block = LocalBlock(
            ulid: meta.ulid.description, directory: parent + "/" + meta.ulid.description,
            minTime: Timestamp(ms: meta.minTime), maxTime: Timestamp(ms: meta.maxTime))
        blocks.withLock { $0.append(block) }
    }

    func deleteLocalBlock(_ ulid: String) async throws {
        let dir = blocks.withLock { b in
            let d = b.first { $0.ulid == ulid }?.directory
            b.removeAll { $0.ulid == ulid }
            return d
        }
        if let dir { try FileManager.default.removeItem(atPath: dir) }
    }

    func close() async throws { closed.store(true, ordering: .relaxed) }
}

struct MemQuerier: Querier, ChunkQuerier {
    let series: [ArraySeries]
    let mint: Timestamp
    let maxt: Timestamp

    func matching(_ matchers: [Matcher]) -> [ArraySeries] {
        series.filter { s in matchers.allSatisfy { $0.matches(s.labels[$0.name]) } }
            .map { ArraySeries(labels: $0.labels, samples: $0.samples.filter { $0.t >= mint && $0.t <= maxt }) }
            .filter { !$0.samples.isEmpty }
    }

    func select(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any SeriesSet {
        ArraySeriesSet(matching(matchers))
    }

    func selectChunks(sorted: Bool, hints: SelectHints?, matchers: [Matcher]) async throws -> any ChunkSeriesSet {
        let writer = BlockWriter(parentDirectory: "/nonexistent")
        return try ArrayChunkSeriesSet(matching(matchers).map { ChunkSeries(labels: $0.labels, chunks: try writer.encodeChunks($0)) })
    }

    func labelValues(_ name: String, matchers: [Matcher]) async throws -> [String] {
        Array(Set(matching(matchers).map { $0.labels[name] }.filter { !$0.isEmpty })).sorted()
    }

    func labelNames(matchers: [Matcher]) async throws -> [String] {
        Array(Set(matching(matchers).flatMap { $0.labels.items.map(\.name) })).sorted()
    }

    func close() {}
}

struct ArrayChunkSeriesSet: ChunkSeriesSet {
    var items: [ChunkSeries]
    var index = 0
    var warnings: [String] { [] }
    init(_ items: [ChunkSeries]) { self.items = items }
    mutating func next() throws -> ChunkSeries? {
        guard index < items.count else { return nil }
        defer { index += 1 }
        return items[index]
    }
}

/// A fresh temporary directory, removed by `cleanup()`.
struct ScratchDirectory {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-receiver-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}
