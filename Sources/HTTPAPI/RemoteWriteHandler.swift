import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import PromModel
import PromWire
import Receiver

/// `POST /api/v1/write`: remote write 1.0 and 2.0, chosen by content type.
struct RemoteWriteHandler: Sendable {
    let service: ReceiveService
    let logger: Logger

    enum Version { case v1, v2 }

    static let v2Proto = "io.prometheus.write.v2.Request"
    static let v1Proto = "prometheus.WriteRequest"

    /// The protocol a content type asks for; nil for one we do not speak (415).
    static func version(contentType: String?) -> Version? {
        guard let contentType, !contentType.isEmpty else { return .v1 }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts[0].lowercased() == "application/x-protobuf" else { return nil }
        for p in parts.dropFirst() where p.lowercased().hasPrefix("proto=") {
            switch p.dropFirst("proto=".count) {
            case Substring(v1Proto): return .v1
            case Substring(v2Proto): return .v2
            default: return nil
            }
        }
        return .v1
    }

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let response = await respond(request, context: context)
        Counter(label: "hearth_http_requests_total", dimensions: [("handler", "/api/v1/write"), ("code", String(response.status.code))])
            .increment()
        Timer(label: "hearth_http_request_duration_seconds", dimensions: [("handler", "/api/v1/write")])
            .record(duration: started.duration(to: .now))
        return response
    }

    private func respond(_ request: Request, context: some RequestContext) async -> Response {
        guard let version = Self.version(contentType: request.headers[.contentType]) else {
            return textResponse(
                .unsupportedMediaType,
                "unsupported content type \"\(request.headers[.contentType] ?? "")\"; want application/x-protobuf with proto=\(Self.v1Proto) or proto=\(Self.v2Proto)")
        }
        // 2.0 senders read these headers on every answer, so an error also says "0 written".
        var written = WrittenCounts()
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "snappy" {
            return written.stamp(textResponse(.unsupportedMediaType, "unsupported content encoding \"\(encoding)\"; want snappy"), version)
        }
        let tenant = service.tenant(fromHeader: ReceiverRoutes.tenantHeader(request, service: service))
        do {
            try TenantName.validate(tenant)
            let limits = service.configuration.limits(for: tenant)
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: limits.maxRequestBytes)
            } catch {
                return written.stamp(textResponse(.contentTooLarge, "request body exceeds max_request_bytes=\(limits.maxRequestBytes)"), version)
            }
            let summary: IngestSummary
            do {
                summary = try await ingest(body, version: version, tenant: tenant, maxDecoded: limits.maxDecodedRequestBytes)
            } catch let error as WireError {
                return written.stamp(wireErrorResponse(error), version)
            }
            written.samples = summary.acceptedSamples
            written.histograms = summary.acceptedHistograms
            written.exemplars = summary.acceptedExemplars
            if summary.rejectedCount > 0 {
                logger.debug("partially rejected write", metadata: ["tenant": "\(tenant)", "rejected": "\(summary.rejectedCount)"])
                return written.stamp(textResponse(.badRequest, summary.errorBody), version)
            }
            return written.stamp(Response(status: .noContent), version)
        } catch let error as ReceiverError {
            var headers: HTTPFields = [:]
            if let retry = error.retryAfterSeconds { headers[.retryAfter] = String(retry) }
            return written.stamp(textResponse(error.status, error.description, headers: headers), version)
        } catch {
            logger.error("write failed", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
            return written.stamp(textResponse(.internalServerError, "\(error)"), version)
        }
    }

    private func ingest(_ body: ByteBuffer, version: Version, tenant: String, maxDecoded: Int) async throws -> IngestSummary {
        let raw = try body.withUnsafeReadableBytes { (compressed) throws(WireError) in
            try Snappy.decompress(compressed, maxDecodedBytes: maxDecoded)
        }
        switch version {
        case .v1:
            // The decoded buffer is read in place: known series never become `Labels`.
            return try await service.push(tenant: tenant, protobuf: raw)
        case .v2:
            return try await service.push(tenant: tenant, series: try decodeV2(raw))
        }
    }

    private func decodeV2(_ raw: [UInt8]) throws -> [TimeSeries] {
        let request = try WriteRequestV2Decoder.decode(raw)
        var out: [TimeSeries] = []
        out.reserveCapacity(request.timeseries.count)
        for (i, ts) in request.timeseries.enumerated() {
            let labels = try request.labels(ts.labelsRefs, at: "timeseries[\(i)].labels_refs")
            out.append(TimeSeries(labels: labels, samples: ts.samples, histograms: ts.histograms))
        }
        return out
    }
}

/// The `X-Prometheus-Remote-Write-*-Written` counts of a 2.0 answer.
struct WrittenCounts {
    var samples = 0
    var histograms = 0
    var exemplars = 0

    func stamp(_ response: Response, _ version: RemoteWriteHandler.Version) -> Response {
        guard version == .v2 else { return response }
        var r = response
        r.headers[HTTPField.Name("X-Prometheus-Remote-Write-Samples-Written")!] = String(samples)
        r.headers[HTTPField.Name("X-Prometheus-Remote-Write-Histograms-Written")!] = String(histograms)
        r.headers[HTTPField.Name("X-Prometheus-Remote-Write-Exemplars-Written")!] = String(exemplars)
        return r
    }
}
