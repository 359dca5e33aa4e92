public import HTTPTypes
public import Hummingbird
public import Receiver
import PromWire

/// Receiver errors as HTTP answers, the way remote-write senders expect them: 400 is not retried,
/// 429 and 5xx are.
extension ReceiverError: ResponseGenerator {}
extension ReceiverError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch code {
        case .badData, .invalidTenant, .readLimit, .invalidConfiguration: return .badRequest
        case .tooLarge: return .contentTooLarge
        case .rateLimited: return .tooManyRequests
        default: return .serviceUnavailable
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if let retry = retryAfterSeconds { headers[.retryAfter] = String(retry) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

/// A plain-text error answer.
func textResponse(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
    var h = headers
    h[.contentType] = "text/plain; charset=utf-8"
    return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
}

/// Decoding errors: an oversized body is 413, anything else malformed is 400.
func wireErrorResponse(_ error: WireError, headers: HTTPFields = [:]) -> Response {
    let status: HTTPResponse.Status = error.code == .decodedTooLarge ? .contentTooLarge : .badRequest
    return textResponse(status, "cannot decode request: \(error.message)", headers: headers)
}
