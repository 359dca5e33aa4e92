import Foundation
import HTTPTypes
import Logging
import PromModel
import Testing
import TSDB

@testable import RemoteClient

/// The saved WAL position makes a restart resume where the last run stopped.
@Suite struct RestartTests {
    static let series = (0..<4).map { Labels(["__name__": "r", "s": "\($0)"]) }

    static func manager(_ port: Int, dir: String) throws -> QueueManager {
        try QueueManager(
            configuration: testConfiguration(port: port), dataDirectory: dir + "/db", options: testOptions(),
            logger: Logger(label: "test"))
    }

    @Test func outageThenRestartLosesNothingAndResendsAtMostTheUnacknowledgedBatch() async throws {
        let dir = TempDir()
        var db = try smallSegmentDB(dir.path + "/db")
        // 25 commits × 4 series: each WAL samples record is one 100-sample batch.
        var written = try await appendSamples(db, series: Self.series, count: 1000, start: 1_000_000, perCommit: 25)
        try db.close()

        // Run 1: the endpoint takes three batches, then fails until the run is stopped.
        let first = FakeWriteEndpoint([
            .init(status: .noContent), .init(status: .noContent), .init(status: .noContent),
            .init(status: .serviceUnavailable, sticky: true),
        ])
        var saved: WALPosition?
        try await withServer(first.router) { port in
            let m = try Self.manager(port, dir: dir.path)
            try await withQueueManager(m) {
                #expect(try await eventually { first.statuses.count >= 6 })
            }
            saved = m.committedPosition
        }
        #expect(first.received.count == 300)
        #expect(saved != nil)

        // Run 2: the endpoint is back; everything not acknowledged arrives.
        let second = FakeWriteEndpoint()
        try await withServer(second.router) { port in
            let m = try Self.manager(port, dir: dir.path)
            try await withQueueManager(m) {
                #expect(try await eventually { first.received.count + second.received.count >= written.count })
            }
        }
        var all = first.received + second.received
        #expect(Set(all) == Set(written))
        #expect(all.count - written.count <= 100, "duplicates: \(all.count - written.count)")

        // Run 3: nothing new is resent; samples appended since arrive exactly once.
        db = try smallSegmentDB(dir.path + "/db")
        let more = try await appendSamples(db, series: Self.series, count: 50, start: 5_000_000, perCommit: 25)
        try db.close()
        written += more
        let third = FakeWriteEndpoint()
        try await withServer(third.router) { port in
            let m = try Self.manager(port, dir: dir.path)
            try await withQueueManager(m) {
                #expect(try await eventually { third.received.count >= more.count })
            }
        }
        #expect(third.received == more)
        all += third.received
        #expect(Set(all) == Set(written))
    }
}
