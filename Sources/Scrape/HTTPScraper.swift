public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// A scraped body and its announced content type.
public struct ScrapeResponse: Sendable {
    /// The (decompressed) body.
    public var body: [UInt8]
    /// The `Content-Type` header, if any.
    public var contentType: String?

    public init(body: [UInt8], contentType: String?) {
        self.body = body
        self.contentType = contentType
    }
}

/// Fetches a target's exposition. Implementations MUST bound the body to `settings.bodySizeLimit`
/// before allocating it and give up after `settings.timeout`.
public protocol TargetFetcher: Sendable {
    /// - Throws: ``ScrapeError`` describing a failed request, a non-200 status or an oversized body.
    func fetch(_ target: Target, settings: ScrapeSettings) async throws -> ScrapeResponse
}

/// Fetches over HTTP(S) with AsyncHTTPClient, negotiating OpenMetrics and gzip like Prometheus.
public struct HTTPTargetFetcher: TargetFetcher {
    /// Prometheus' scrape `Accept` header for OpenMetrics 1.0 preferred over text 0.0.4.
    public static let acceptHeader =
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    let client: HTTPClient
    let userAgent: String

    /// - Parameter client: a client created with ``clientConfiguration(bodySizeLimit:followRedirects:)``;
    ///   the caller owns its lifecycle.
    public init(client: HTTPClient, userAgent: String = "Hearth") {
        self.client = client
        self.userAgent = userAgent
    }

    /// A client configuration that decompresses gzip with a bounded output size.
    public static func clientConfiguration(bodySizeLimit: Int, followRedirects: Bool = true) -> HTTPClient.Configuration
    {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: followRedirects ? .follow(max: 10, allowCycles: false) : .disallow,
            decompression: .enabled(limit: .size(bodySizeLimit)))
        configuration.httpVersion = .http1Only
        return configuration
    }

    public func fetch(_ target: Target, settings: ScrapeSettings) async throws -> ScrapeResponse {
        var request = HTTPClientRequest(url: target.url)
        request.tlsConfiguration = settings.tlsConfiguration
        request.headers.add(name: "Accept", value: Self.acceptHeader)
        request.headers.add(name: "Accept-Encoding", value: settings.enableCompression ? "gzip" : "identity")
        request.headers.add(name: "User-Agent", value: userAgent)
        let timeoutSeconds =
            Double(settings.timeout.components.seconds)
            + Double(settings.timeout.components.attoseconds) / 1e18
        // Like Go's FormatFloat(-1): "10", not "10.0".
        let timeoutText =
            timeoutSeconds == timeoutSeconds.rounded() ? String(Int64(timeoutSeconds)) : String(timeoutSeconds)
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: timeoutText)
        if let authorization = try Self.authorization(settings.httpClient) {
            request.headers.add(name: "Authorization", value: authorization)
        }
        let timeoutMs =
            settings.timeout.components.seconds * 1000 + settings.timeout.components.attoseconds / 1_000_000_000_000_000
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .milliseconds(timeoutMs))
        } catch {
            throw ScrapeError("Get \"\(target.url)\": \(error)")
        }
        guard response.status == .ok else {
            throw ScrapeError("server returned HTTP status \(response.status.code) \(response.status.reasonPhrase)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: settings.bodySizeLimit)
        } catch is NIOTooManyBytesError {
            throw ScrapeError("body size limit exceeded (limit: \(settings.bodySizeLimit) bytes)")
        } catch {
            throw ScrapeError("reading body of \"\(target.url)\": \(error)")
        }
        return ScrapeResponse(
            body: Array(buffer.readableBytesView), contentType: response.headers.first(name: "Content-Type"))
    }

    /// The `Authorization` header value for basic auth or a bearer token, reading secret files now
    /// so rotated credentials are picked up without a reload.
    static func authorization(_ config: HTTPClientConfiguration) throws -> String? {
        if let basic = config.basicAuth {
            var password = basic.password ?? ""
            if let file = basic.passwordFile { password = try readSecret(file) }
            return "Basic " + Data("\(basic.username):\(password)".utf8).base64EncodedString()
        }
        if let auth = config.authorization {
            var credentials = auth.credentials ?? ""
            if let file = auth.credentialsFile { credentials = try readSecret(file) }
            return "\(auth.type) \(credentials)"
        }
        return nil
    }

    /// Reads a small secret file, refusing anything over 64 KiB.
    static func readSecret(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ScrapeError("cannot open secret file \(path)")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 65_537)) ?? Data()
        guard data.count <= 65_536 else { throw ScrapeError("secret file \(path) is larger than 64 KiB") }
        var text = String(decoding: data, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
