import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends batches to one remote-write endpoint: encodes v1 or v2, and retries, splits, downgrades or
/// drops per ``SendOutcome``. Thread-safe; each shard calls ``send(_:)`` with its own batches.
final class RemoteWriteSender: Sendable {
    let client: HTTPClient
    let config: RemoteWriteConfiguration
    let metrics: RemoteWriteMetrics
    let clock: QueueClock
    let logger: Logger
    private let headers: [(String, String)]
    // Starts true for protobuf_message v2 and flips once on HTTP 415; never back.
    private let useV2: Atomic<Bool>

    init(
        client: HTTPClient, config: RemoteWriteConfiguration, metrics: RemoteWriteMetrics, clock: QueueClock,
        logger: Logger
    ) throws {
        self.client = client
        self.config = config
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.useV2 = Atomic(config.protobufMessage == .v2)
        var h = config.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let auth = config.basicAuth {
            var password = auth.password ?? ""
            if let file = auth.passwordFile { password = try Self.secret(file) }
            let token = Data("\(auth.username):\(password)".utf8).base64EncodedString()
            h.append(("Authorization", "Basic \(token)"))
        } else if let token = try config.bearerToken ?? config.bearerTokenFile.map(Self.secret) {
            h.append(("Authorization", "Bearer \(token)"))
        }
        headers = h
    }

    private static func secret(_ path: String) throws -> String {
        guard let bytes = try PosixFile.read(path, from: 0, limit: 1 << 16) else {
            throw RemoteClientError(.invalidConfiguration, "secret file \(path) does not exist")
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends a batch until it is accepted or dropped. Returns early only when cancelled.
    func send(_ batch: [PendingSample]) async throws {
        var work = [batch[...]]
        while let part = work.popLast() {
            var backoff = config.queueConfig.minBackoff.duration
            attempts: while true {
                let v2 = useV2.load(ordering: .relaxed)
                let outcome = await attempt(Array(part), v2: v2)
                switch outcome {
                case .sent:
                    metrics.sent(part.count, highestMs: part.map(\.t).max() ?? 0)
                    break attempts
                case .retry(let after):
                    metrics.retried(part.count)
                    try await clock.sleep(max(after ?? backoff, .zero))
                    backoff = min(backoff * 2, config.queueConfig.maxBackoff.duration)
                case .split:
                    guard part.count > 1 else {
                        metrics.failed(part.count)
                        break attempts
                    }
                    metrics.split()
                    let mid = part.startIndex + part.count / 2
                    work.append(part[mid...])
                    work.append(part[..<mid])
                    break attempts
                case .downgrade:
                    useV2.store(false, ordering: .relaxed)
                    metrics.downgraded()
                case .drop(let status):
                    logger.debug(
                        "remote write dropped a batch", metadata: ["status": "\(status)", "samples": "\(part.count)"])
                    metrics.failed(part.count)
                    break attempts
                }
            }
        }
    }

    /// One HTTP request; network errors are retryable.
    private func attempt(_ batch: [PendingSample], v2: Bool) async -> SendOutcome {
        // A batch that cannot be encoded (e.g. a label that is not UTF-8) will never be accepted.
        guard let body = try? (v2 ? WriteRequestEncoding.v2(batch) : WriteRequestEncoding.v1(batch)) else {
            return .drop(status: 0)
        }
        do {
            var request = HTTPClientRequest(url: config.url)
            request.method = .POST
            request.headers.add(name: "Content-Encoding", value: "snappy")
            request.headers.add(name: "User-Agent", value: "Hearth")
            if v2 {
                request.headers.add(
                    name: "Content-Type", value: "application/x-protobuf;proto=io.prometheus.write.v2.Request")
                request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "2.0.0")
            } else {
                request.headers.add(name: "Content-Type", value: "application/x-protobuf")
                request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
            }
            for (k, v) in headers { request.headers.replaceOrAdd(name: k, value: v) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let timeout = TimeAmount.milliseconds(max(1, config.remoteTimeout.milliseconds))
            let response = try await client.execute(request, timeout: timeout)
            for try await _ in response.body {}  // drain so the connection is reused
            return SendOutcome.classify(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                retryOnRateLimit: config.queueConfig.retryOnRateLimit, isV2: v2)
        } catch {
            logger.debug("remote write request failed", metadata: ["error": "\(error)"])
            return .retry(after: nil)
        }
    }
}
