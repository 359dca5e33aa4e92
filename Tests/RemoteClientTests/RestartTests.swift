import Foundation
import HTTPTypes
import Logging
import PromModel
import ServiceLifecycle
import TSDB
import Testing

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
                let ok = try await eventually { first.statuses.count >= 6 }
                #expect(ok)
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
                // Wait on the sender's own count: it is acknowledged (and so saved) right after it moves.
                let ok = try await eventually { first.received.count + m.stats.samplesSent >= written.count }
                #expect(ok)
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
                let ok = try await eventually { m.stats.samplesSent >= more.count }
                #expect(ok)
            }
        }
        #expect(third.received.count == more.count && Set(third.received) == Set(more))
        all += third.received
        #expect(Set(all) == Set(written))
    }
}

extension RestartTests {
    @Test func gracefulShutdownSendsWhatIsQueuedSoARestartResendsNothing() async throws {
        let dir = TempDir()
        let db = try smallSegmentDB(dir.path + "/db")
        let written = try await appendSamples(db, series: Self.series, count: 500, start: 1_000_000, perCommit: 25)
        try db.close()

        let first = FakeWriteEndpoint(delay: .milliseconds(1))
        try await withServer(first.router) { port in
            var config = testConfiguration(port: port, maxPerSend: 10)
            config.queueConfig.capacity = 200
            let m = try QueueManager(
                configuration: config, dataDirectory: dir.path + "/db", options: testOptions(),
                logger: Logger(label: "test"))
            let group = ServiceGroup(services: [m], gracefulShutdownSignals: [], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let ok = try await eventually { first.received.count >= 50 }
                #expect(ok)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(m.stats.samplesSent == first.received.count)
        }
        #expect(first.received.count < written.count)

        let second = FakeWriteEndpoint()
        try await withServer(second.router) { port in
            let m = try Self.manager(port, dir: dir.path)
            try await withQueueManager(m) {
                let ok = try await eventually { first.received.count + m.stats.samplesSent >= written.count }
                #expect(ok)
            }
        }
        let all = first.received + second.received
        #expect(all.count == written.count && Set(all) == Set(written))
    }
}

extension RestartTests {
    /// The TSDB checkpoints and deletes WAL segments during an outage; the hard links keep them, so
    /// everything arrives once the endpoint is back.
    @Test func outageAcrossWALTruncationLosesNothing() async throws {
        let dir = TempDir()
        let wal = try WAL(
            directory: dir.path + "/db/wal", options: WALOptions(segmentSize: 64 * 1024, syncPolicy: .never))
        try wal.startWriting()
        try await wal.log([
            WALRecordCodec.encode(series: Self.series.enumerated().map { RefSeries(ref: UInt64($0 + 1), labels: $1) })
        ])
        var written: [ReceivedSample] = []
        for segment in 0..<3 {
            for r in 0..<5 {
                let t = Int64(segment * 1000 + r * 10)
                let samples = (0..<10).flatMap { i in
                    (1...4).map { RefSample(ref: UInt64($0), t: t + Int64(i), v: Double($0) + Double(t)) }
                }
                try await wal.log([WALRecordCodec.encode(samples: samples)])
                written += samples.map { ReceivedSample(Self.series[Int($0.ref) - 1], $0.t, $0.v) }
            }
            if segment < 2 { try wal.nextSegment() }
        }
        let endpoint = FakeWriteEndpoint([.init(status: .serviceUnavailable, sticky: true)])
        try await withServer(endpoint.router) { port in
            let m = try Self.manager(port, dir: dir.path)
            let links = dir.path + "/db/remote_write/test/segments/"
            try await withQueueManager(m) {
                let linked = try await eventually {
                    endpoint.statuses.count >= 3
                        && (0..<3).allSatisfy { FileManager.default.fileExists(atPath: links + "0000000\($0)") }
                }
                #expect(linked)
                // What the TSDB does after a head compaction: checkpoint, then delete the closed segments.
                let current = try #require(wal.currentSegment)
                try WALCheckpoint.create(wal: wal, through: current - 1, mint: 0) { _ in true }
                try wal.truncate(before: current)
                endpoint.setScript([])
                let ok = try await eventually { m.stats.samplesSent == written.count }
                #expect(ok, "\(m.stats)")
            }
        }
        try wal.close()
        #expect(endpoint.received.count == written.count && Set(endpoint.received) == Set(written))
    }
}
