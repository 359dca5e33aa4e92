import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// What the loopback test server answers on `/metrics`, and what it saw.
final class ExpositionPage: Sendable {
    struct State {
        var status: HTTPResponse.Status = .ok
        var contentType = "text/plain; version=0.0.4"
        var body: [UInt8] = []
        var gzip = false
        var requests: [HTTPFields] = []
        var queries: [String] = []
    }

    let state = Mutex(State())

    func set(_ text: String, contentType: String = "text/plain; version=0.0.4", status: HTTPResponse.Status = .ok) {
        state.withLock {
            $0.body = Array(text.utf8)
            $0.contentType = contentType
            $0.status = status
            $0.gzip = false
        }
    }

    func setGzipped(_ compressed: [UInt8]) {
        state.withLock {
            $0.body = compressed
            $0.gzip = true
            $0.status = .ok
        }
    }

    var lastRequest: HTTPFields? { state.withLock { $0.requests.last } }
    var lastQuery: String? { state.withLock { $0.queries.last } }
}

/// Runs a Hummingbird server on a free loopback port for the duration of `body`.
func withExpositionServer(_ body: (_ port: Int, _ page: ExpositionPage) async throws -> Void) async throws {
    let page = ExpositionPage()
    let router = Router()
    router.get("/metrics") { request, _ -> Response in
        let s = page.state.withLock { s in
            s.requests.append(request.headers)
            s.queries.append(request.uri.query ?? "")
            return s
        }
        var headers: HTTPFields = [.contentType: s.contentType]
        if s.gzip { headers[.contentEncoding] = "gzip" }
        return Response(status: s.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: s.body)))
    }
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        do {
            try await body(port, page)
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}

/// Gzips bytes with the system `gzip`; nil when it is not installed.
func gzip(_ bytes: [UInt8]) throws -> [UInt8]? {
    guard
        FileManager.default.isExecutableFile(atPath: "/bin/gzip")
            || FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip")
    else {
        return nil
    }
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("body")
    try Data(bytes).write(to: file)
    _ = try runTool("gzip", ["-9", file.path])
    return Array(try Data(contentsOf: dir.appendingPathComponent("body.gz")))
}
