import Foundation
import Hummingbird
import PromModel
import PromQL

/// Form values of an API request: the query string, plus an urlencoded POST body.
struct APIParameters {
    private var values: [String: [String]] = [:]

    static func read(_ request: Request, maxBodyBytes: Int = 8 << 20) async throws -> APIParameters {
        var params = APIParameters()
        // Parse the raw query ourselves: keys such as `match[]` arrive percent-encoded.
        if let query = request.uri.query { params.addForm(query) }
        if request.method == .post {
            var request = request
            let body = try await request.collectBody(upTo: maxBodyBytes)
            params.addForm(String(buffer: body))
        }
        return params
    }

    mutating func addForm(_ text: String) {
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(kv[0])
            let value = kv.count > 1 ? Self.decode(kv[1]) : ""
            values[key, default: []].append(value)
        }
    }

    private static func decode(_ s: Substring) -> String {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
    }

    subscript(_ name: String) -> String? { values[name]?.first }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// A time parameter: RFC 3339 or Unix seconds with a fraction.
    func time(_ name: String, default fallback: Timestamp?) throws(APIError) -> Timestamp {
        guard let text = self[name], !text.isEmpty else {
            if let fallback { return fallback }
            throw APIError(.badData, "missing parameter \"\(name)\"")
        }
        if let seconds = Double(text), seconds.isFinite {
            return Timestamp(ms: Int64((seconds * 1000).rounded()))
        }
        if let date = Self.rfc3339(text) { return Timestamp(ms: Int64((date.timeIntervalSince1970 * 1000).rounded())) }
        throw APIError(.badData, "invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid timestamp")
    }

    private static func rfc3339(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }

    /// A duration parameter in milliseconds: float seconds or a Prometheus duration.
    func duration(_ name: String) throws(APIError) -> Int64? {
        guard let text = self[name], !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite { return Int64((seconds * 1000).rounded()) }
        do { return try PrometheusDuration.parseMilliseconds(text) } catch {
            throw APIError(.badData, "invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid duration")
        }
    }

    /// `match[]` selectors as matcher lists.
    func selectors() throws(APIError) -> [[Matcher]] {
        var out: [[Matcher]] = []
        for text in all("match[]") {
            let expr: Expr
            do { expr = try PromQLParser.parse(text) } catch {
                throw APIError(.badData, "invalid parameter \"match[]\": \(error)")
            }
            guard case .vectorSelector(let vs) = expr.unwrapped else {
                throw APIError(.badData, "invalid parameter \"match[]\": \"\(text)\" is not a series selector")
            }
            out.append(vs.matchers)
        }
        return out
    }
}

/// An API error in Prometheus' shape: `errorType` and HTTP status go together.
struct APIError: Error {
    enum Kind: String {
        case badData = "bad_data"
        case execution = "execution"
        case timeout = "timeout"
        case canceled = "canceled"
        case internalError = "internal"
        case unavailable = "unavailable"
        case notFound = "not_found"
    }

    var kind: Kind
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var status: HTTPResponse.Status {
        switch kind {
        case .badData: return .badRequest
        case .execution: return .unprocessableContent
        case .timeout, .unavailable: return .serviceUnavailable
        case .canceled: return HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
        case .notFound: return .notFound
        case .internalError: return .internalServerError
        }
    }
}
