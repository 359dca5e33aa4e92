import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PromModel
import PromWire
import StorageAPI

/// A series as the remote endpoint returned it: plain samples (SAMPLES) or XOR chunks (streamed).
struct RemoteSeries: Sendable {
    var labels: Labels
    var samples: [Sample]
    var chunks: [Chunk]
}

/// Sends one remote-read query and decodes either response type.
struct RemoteReadClient: Sendable {
    let client: HTTPClient
    let config: RemoteReadConfiguration
    let headers: [(String, String)]
    /// Upper bound on a response body (SAMPLES) or one frame (streamed).
    var maxResponseBytes = 512 << 20

    static let streamedContentType = "application/x-streamed-protobuf"

    init(client: HTTPClient, config: RemoteReadConfiguration) throws {
        self.client = client
        self.config = config
        var h = config.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let auth = config.basicAuth {
            let password = try auth.passwordFile.map(Self.secret) ?? auth.password ?? ""
            h.append(("Authorization", "Basic " + Data("\(auth.username):\(password)".utf8).base64EncodedString()))
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

    /// Runs `query`, asking for streamed XOR chunks first and accepting SAMPLES.
    /// - Throws: ``RemoteClientError`` `.http` for a non-2xx answer, `.decoding` for a malformed one.
    func read(_ query: Query) async throws -> [RemoteSeries] {
        let body: [UInt8]
        do {
            let message = ReadRequest(queries: [query], acceptedResponseTypes: [.streamedXORChunks, .samples])
            body = Snappy.compress(try message.protobuf())
        }
        var request = HTTPClientRequest(url: config.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        request.headers.add(name: "Content-Encoding", value: "snappy")
        request.headers.add(name: "X-Prometheus-Remote-Read-Version", value: "0.1.0")
        request.headers.add(name: "User-Agent", value: "Hearth")
        for (k, v) in headers { request.headers.replaceOrAdd(name: k, value: v) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = TimeAmount.milliseconds(max(1, config.remoteTimeout.milliseconds))
        let response = try await client.execute(request, timeout: timeout)
        guard (200..<300).contains(response.status.code) else {
            let text = try? await response.body.collect(upTo: 4096)
            throw RemoteClientError(
                .http,
                "remote read from \(config.url) answered \(response.status.code): "
                    + (text.map { String(buffer: $0) } ?? ""))
        }
        let contentType = response.headers.first(name: "Content-Type") ?? ""
        if contentType.hasPrefix(Self.streamedContentType) {
            return try await streamed(response.body)
        }
        let raw = try await response.body.collect(upTo: maxResponseBytes)
        do {
            let decoded = try ReadResponse(
                protobuf: try Snappy.decompress(Array(buffer: raw), maxDecodedBytes: maxResponseBytes))
            return (decoded.results.first?.timeseries ?? []).map {
                RemoteSeries(labels: $0.labelSet, samples: $0.samples, chunks: [])
            }
        } catch {
            throw RemoteClientError(
                .decoding, "cannot decode remote read SAMPLES response from \(config.url)", underlying: error)
        }
    }

    /// Reads frames as they arrive; frames of one series (a large series spans several) are joined.
    private func streamed(_ body: HTTPClientResponse.Body) async throws -> [RemoteSeries] {
        var reader = ChunkedReadReader(maxFrameBytes: maxResponseBytes)
        var out: [RemoteSeries] = []
        func drain(_ reader: inout ChunkedReadReader) throws {
            while let frame = try reader.next() {
                for s in frame.chunkedSeries {
                    let labels = Labels(s.labels)
                    if let last = out.last, last.labels == labels {
                        out[out.count - 1].chunks += s.chunks
                    } else {
                        out.append(RemoteSeries(labels: labels, samples: [], chunks: s.chunks))
                    }
                }
            }
        }
        do {
            for try await buffer in body {
                reader.append(buffer.readableBytesView)
                try drain(&reader)
            }
            try reader.finish()
        } catch let error as RemoteClientError {
            throw error
        } catch {
            throw RemoteClientError(
                .decoding, "cannot decode streamed remote read response from \(config.url)", underlying: error)
        }
        return out
    }
}
