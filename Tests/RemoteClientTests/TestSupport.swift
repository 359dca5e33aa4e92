import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PromModel
import PromWire
import RemoteClient
import StorageAPI
import Synchronization
import TSDB

/// A temporary directory removed when the test ends.
final class TempDir: Sendable {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-remote-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A sample as received by an endpoint, for exact comparisons.
struct ReceivedSample: Hashable, Sendable, CustomStringConvertible {
    var labels: Labels
    var t: Int64
    var bits: UInt64
    init(_ labels: Labels, _ t: Int64, _ v: Double) {
        self.labels = labels
        self.t = t
        self.bits = v.bitPattern
    }
    var description: String { "\(labels)@\(t)=\(Double(bitPattern: bits))" }
}

/// Runs `body` while `router` serves on a loopback port chosen by the kernel.
func withServer(
    _ router: Router<BasicRequestContext>, _ body: (Int) async throws -> Void
) async throws {
    let (ports, cont) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { cont.yield($0.localAddress?.port ?? 0) }, logger: Logger(label: "test-server"))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        var it = ports.makeAsyncIterator()
        guard let port = await it.next() else { return }
        do {
            try await body(port)
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}

/// A scripted remote-write endpoint: answers from a list of canned responses, then 204, and records
/// every accepted sample.
final class FakeWriteEndpoint: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: [String: String] = [:]
        /// Only answer this way when the request's content type contains this text.
        var when: String? = nil
        /// Only answer this way when the request holds more than this many samples.
        var overSamples: Int? = nil
        /// Keep answering this way (instead of once).
        var sticky = false
    }

    struct State {
        var script: [Reply] = []
        var received: [ReceivedSample] = []
        var requestSizes: [Int] = []
        var statuses: [Int] = []
        var contentTypes: [String] = []
    }

    let state = Mutex(State())
    /// Time each request takes, to make sending the bottleneck.
    let delay: Duration?

    init(_ script: [Reply] = [], delay: Duration? = nil) {
        self.delay = delay
        state.withLock { $0.script = script }
    }

    var received: [ReceivedSample] { state.withLock { $0.received } }
    var requestSizes: [Int] { state.withLock { $0.requestSizes } }
    var statuses: [Int] { state.withLock { $0.statuses } }
    var contentTypes: [String] { state.withLock { $0.contentTypes } }
    func setScript(_ s: [Reply]) { state.withLock { $0.script = s } }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("/write") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 << 20)
            let contentType = request.headers[.contentType] ?? ""
            let samples = try Self.decode(Array(buffer: body), contentType: contentType)
            if let delay = self.delay { try await Task.sleep(for: delay) }
            let reply: Reply? = self.state.withLock { s in
                s.contentTypes.append(contentType)
                guard
                    let i = s.script.firstIndex(where: { r in
                        (r.when.map { contentType.contains($0) } ?? true)
                            && (r.overSamples.map { samples.count > $0 } ?? true)
                    })
                else { return nil }
                let r = s.script[i]
                if !r.sticky { s.script.remove(at: i) }
                return r
            }
            let status = reply?.status ?? .noContent
            self.state.withLock { s in
                s.statuses.append(Int(status.code))
                if (200..<300).contains(status.code) {
                    s.received += samples
                    s.requestSizes.append(samples.count)
                }
            }
            var fields = HTTPFields()
            for (k, v) in reply?.headers ?? [:] { fields[HTTPField.Name(k)!] = v }
            return Response(status: status, headers: fields)
        }
        return router
    }

    static func decode(_ body: [UInt8], contentType: String) throws -> [ReceivedSample] {
        if contentType.contains("io.prometheus.write.v2.Request") {
            let r = try WriteRequestV2(snappyProtobuf: body)
            return try r.timeseries.flatMap { ts in
                let labels = Labels(try r.labels(ts.labelsRefs))
                return ts.samples.map { ReceivedSample(labels, $0.t.ms, $0.v) }
            }
        }
        return try WriteRequest(snappyProtobuf: body).timeseries.flatMap { ts in
            ts.samples.map { ReceivedSample(ts.labelSet, $0.t.ms, $0.v) }
        }
    }
}

/// Appends `count` samples for each series to a DB in commits of `perCommit`, timestamps from `start`.
@discardableResult
func appendSamples(
    _ db: DB, series: [Labels], count: Int, start: Int64, step: Int64 = 1000, perCommit: Int = 100,
    value: (Int, Int) -> Double = { s, i in Double(s * 100_000 + i) + 0.5 }
) async throws -> [ReceivedSample] {
    var out: [ReceivedSample] = []
    var i = 0
    while i < count {
        var app = db.appender()
        for j in i..<min(count, i + perCommit) {
            for (s, labels) in series.enumerated() {
                let t = start + Int64(j) * step, v = value(s, j)
                _ = try app.append(ref: nil, labels: labels, t: Timestamp(ms: t), v: v)
                out.append(ReceivedSample(labels, t, v))
            }
        }
        try await app.commit()
        i += perCommit
    }
    return out
}

/// A DB with small WAL segments so tests cross segment boundaries.
func smallSegmentDB(_ dir: String) throws -> DB {
    var o = DBOptions()
    o.wal = WALOptions(segmentSize: 64 * 1024, syncPolicy: .never)
    return try DB(directory: dir, options: o)
}

/// Polls `condition` every 10ms, at most `tries` times; false when it never held.
func eventually(tries: Int = 3000, _ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<tries {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return false
}

/// Fast settings for tests: short deadlines and backoffs, one shard unless asked otherwise.
func testConfiguration(port: Int, path: String = "/write", shards: Int = 1, maxPerSend: Int = 100)
    -> RemoteWriteConfiguration
{
    var c = RemoteWriteConfiguration(url: "http://127.0.0.1:\(port)\(path)")
    c.name = "test"
    c.remoteTimeout = ConfigDuration(.seconds(10))
    c.queueConfig.minShards = shards
    c.queueConfig.maxShards = shards
    c.queueConfig.maxSamplesPerSend = maxPerSend
    c.queueConfig.capacity = 500
    c.queueConfig.batchSendDeadline = ConfigDuration(.milliseconds(20))
    c.queueConfig.minBackoff = ConfigDuration(.milliseconds(1))
    c.queueConfig.maxBackoff = ConfigDuration(.milliseconds(20))
    return c
}

func testOptions() -> QueueManagerOptions {
    var o = QueueManagerOptions()
    o.pollInterval = .milliseconds(10)
    o.positionSaveInterval = .zero
    o.reshardInterval = .seconds(3600)
    return o
}

/// Runs a queue manager while `body` runs, then cancels it (graceful stop) and waits for it.
func withQueueManager(_ manager: QueueManager, _ body: () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await manager.run() }
        do {
            try await body()
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
        try await group.waitForAll()
    }
}
