public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
public import PromWire
public import ServiceLifecycle

/// Sends metric metadata (TYPE, HELP, UNIT of every scraped family) to one remote-write endpoint every
/// `metadata_config.send_interval`, as remote write 1.0 requests that carry only metadata, the way
/// Prometheus does for `prometheus.WriteRequest` destinations.
///
/// Each round sends the whole current set in requests of at most `maxPerSend` entries; a failed
/// request is logged and counted, not retried, because the next round sends everything again.
public struct MetadataSender: Service {
    let configuration: RemoteWriteConfiguration
    let interval: Duration
    let maxPerSend: Int
    let source: @Sendable () -> [MetricMetadata]
    let client: HTTPClient
    let logger: Logger

    /// - Parameters:
    ///   - interval: `metadata_config.send_interval` (Prometheus: 1m).
    ///   - maxPerSend: `metadata_config.max_samples_per_send` (Prometheus: 2000).
    ///   - source: the metadata to send, read at each round (e.g. the scrape manager's).
    public init(
        configuration: RemoteWriteConfiguration, interval: Duration, maxPerSend: Int,
        source: @escaping @Sendable () -> [MetricMetadata], httpClient: HTTPClient = .shared, logger: Logger
    ) {
        self.configuration = configuration
        self.interval = interval
        self.maxPerSend = max(1, maxPerSend)
        self.source = source
        self.client = httpClient
        self.logger = logger
    }

    /// Sends a round every interval until cancelled or graceful shutdown.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            await sendRound()
        }
    }

    /// Sends the current metadata once.
    /// - Returns: the HTTP status of each request (0 for a network error).
    @discardableResult
    public func sendRound() async -> [Int] {
        let all = source()
        var statuses: [Int] = []
        var start = 0
        while start < all.count {
            let chunk = Array(all[start..<min(start + maxPerSend, all.count)])
            start += chunk.count
            statuses.append(await post(chunk))
        }
        return statuses
    }

    private func post(_ metadata: [MetricMetadata]) async -> Int {
        do {
            var request = HTTPClientRequest(url: configuration.url)
            request.method = .POST
            request.headers.add(name: "Content-Encoding", value: "snappy")
            request.headers.add(name: "Content-Type", value: "application/x-protobuf")
            request.headers.add(name: "User-Agent", value: "Hearth")
            request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
            for (k, v) in try authorizationHeaders() { request.headers.replaceOrAdd(name: k, value: v) }
            request.body = .bytes(ByteBuffer(bytes: WriteRequest(metadata: metadata).snappyProtobuf()))
            let timeout = TimeAmount.milliseconds(max(1, configuration.remoteTimeout.milliseconds))
            let response = try await client.execute(request, timeout: timeout)
            for try await _ in response.body {}
            let status = Int(response.status.code)
            if !(200..<300).contains(status) {
                logger.debug("remote write metadata refused", metadata: ["status": "\(status)"])
            }
            return status
        } catch {
            logger.debug("remote write metadata request failed", metadata: ["error": "\(error)"])
            return 0
        }
    }

    /// Configured headers plus basic auth or a bearer token; secret files are read at each round.
    private func authorizationHeaders() throws -> [(String, String)] {
        var h = configuration.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        func secret(_ path: String) throws -> String {
            guard let bytes = try PosixFile.read(path, from: 0, limit: 1 << 16) else {
                throw RemoteClientError(.invalidConfiguration, "secret file \(path) does not exist")
            }
            return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let auth = configuration.basicAuth {
            let password = try auth.passwordFile.map(secret) ?? auth.password ?? ""
            h.append(("Authorization", "Basic " + Data("\(auth.username):\(password)".utf8).base64EncodedString()))
        } else if let token = try configuration.bearerToken ?? configuration.bearerTokenFile.map(secret) {
            h.append(("Authorization", "Bearer \(token)"))
        }
        return h
    }
}
