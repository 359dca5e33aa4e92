import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// Appenders, queriers and compaction at the same time: every committed sample must be readable
/// afterwards, and nothing may crash or deadlock. Work is bounded by counts, not time.
@Suite struct DBConcurrencyTests {
    @Test func concurrentAppendsQueriesAndCompactionsKeepEverySample() async throws {
        let dir = ScratchDirectory()
        var options = DBOptions(blockRange: .seconds(60))
        options.wal = WALOptions(segmentSize: 64 * 1024, syncPolicy: .always)
        let db = try DB(directory: dir.path, options: options)
        let tasks = 6, series = 20, batches = 60
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var refs = [SeriesRef?](repeating: nil, count: series)
                    for b in 0..<batches {
                        var app = db.appender()
                        for s in 0..<series {
                            let labels: Labels = ["__name__": "c", "task": "\(task)", "s": "\(s)"]
                            refs[s] = try app.append(ref: refs[s], labels: labels, t: Timestamp(ms: Int64(b) * 5_000), v: Double(task + s))
                        }
                        try await app.commit()
                    }
                }
            }
            group.addTask {
                for _ in 0..<20 {
                    _ = try await collect(db.querier(mint: .min, maxt: .max), [.equal("__name__", "c")])
                    _ = try await db.compact()
                    await Task.yield()
                }
            }
            try await group.waitForAll()
        }
        _ = try await db.compact()
        #expect(!db.blocks.isEmpty)
        let all = try await collect(db.querier(mint: .min, maxt: .max), [.equal("__name__", "c")])
        #expect(all.count == tasks * series)
        for (labels, samples) in all {
            let task = Int(labels["task"])!, s = Int(labels["s"])!
            #expect(samples == (0..<batches).map { Sample(t: Timestamp(ms: Int64($0) * 5_000), v: Double(task + s)) })
        }
        try db.close()
    }
}
