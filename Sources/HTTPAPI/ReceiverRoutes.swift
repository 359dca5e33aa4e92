import HTTPTypes
public import Hummingbird
public import Logging
public import PromQL
public import Receiver
import StorageAPI

/// The HTTP surface of `hearth receive`.
public enum ReceiverRoutes {
    /// A router with remote write, remote read, `/metrics` and the health endpoints.
    /// - Parameter metricsText: renders the process's metrics in the Prometheus text format.
    public static func router(
        service: ReceiveService, engine: Engine = Engine(), queryTimeout: Duration = .seconds(120), logger: Logger,
        metricsText: @escaping @Sendable () -> String
    ) -> Router<BasicRequestContext> {
        let router = Router()
        let write = RemoteWriteHandler(service: service, logger: logger)
        let read = RemoteReadHandler(
            source: { request in
                let tenant = service.tenant(fromHeader: tenantHeader(request, service: service))
                return try await service.queryable(tenant: tenant)
            },
            limits: { request in service.configuration.limits(for: service.tenant(fromHeader: tenantHeader(request, service: service))) },
            logger: logger)
        router.post("/api/v1/write") { request, context in try await write.handle(request, context: context) }
        router.post("/api/v1/read") { request, context in try await read.handle(request, context: context) }
        PrometheusQueryAPI(engine: engine, timeout: queryTimeout) { request in
            try await service.queryable(tenant: service.tenant(fromHeader: tenantHeader(request, service: service)))
        }.addRoutes(to: router)
        addOperationalRoutes(to: router, isReady: { service.isReady }, metricsText: metricsText)
        return router
    }

    /// `/-/healthy`, `/-/ready` and `/metrics`, shared by every Hearth role.
    public static func addOperationalRoutes(
        to router: Router<BasicRequestContext>, isReady: @escaping @Sendable () -> Bool,
        metricsText: @escaping @Sendable () -> String
    ) {
        router.get("/-/healthy") { _, _ in textResponse(.ok, "Hearth is Healthy.") }
        router.get("/-/ready") { _, _ in
            isReady() ? textResponse(.ok, "Hearth is Ready.") : textResponse(.serviceUnavailable, "Hearth is not ready.")
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metricsText())))
        }
    }

    static func tenantHeader(_ request: Request, service: ReceiveService) -> String? {
        if let name = HTTPField.Name(service.configuration.tenantHeader), let v = request.headers[name] { return v }
        if let orgID = HTTPField.Name("X-Scope-OrgID"), let v = request.headers[orgID] { return v }
        return nil
    }
}
