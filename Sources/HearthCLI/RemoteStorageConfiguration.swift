import PromModel
import RemoteClient
import Scrape

/// Turns the `remote_write` and `remote_read` sections, decoded once (strictly) as part of Scrape's
/// ``PrometheusConfiguration``, into the remote client's settings, and compiles `write_relabel_configs`
/// into the closure ``QueueManager`` takes.
enum RemoteStorageConfiguration {
    /// The remote client's settings for one `remote_write` entry at `path` (e.g. `remote_write[0]`).
    /// - Throws: ``ValidationErrorText`` naming the field the remote client cannot honour.
    static func write(_ c: Scrape.RemoteWriteConfiguration, path: String) throws -> RemoteClient.RemoteWriteConfiguration {
        var out = RemoteClient.RemoteWriteConfiguration(url: c.url)
        out.name = c.name
        out.remoteTimeout = .init(c.remoteTimeout.duration)
        out.headers = c.headers
        out.protobufMessage = c.protobufMessage == "io.prometheus.write.v2.Request" ? .v2 : .v1
        out.walBudgetBytes = c.walBudgetBytes
        var q = RemoteClient.QueueConfiguration()
        q.capacity = c.queueConfig.capacity
        q.maxShards = c.queueConfig.maxShards
        q.minShards = c.queueConfig.minShards
        q.maxSamplesPerSend = c.queueConfig.maxSamplesPerSend
        q.batchSendDeadline = .init(c.queueConfig.batchSendDeadline.duration)
        q.minBackoff = .init(c.queueConfig.minBackoff.duration)
        q.maxBackoff = .init(c.queueConfig.maxBackoff.duration)
        q.retryOnRateLimit = c.queueConfig.retryOnHTTP429
        out.queueConfig = q
        try auth(c.httpClient, path: path) { basic, token, tokenFile in
            out.basicAuth = basic
            out.bearerToken = token
            out.bearerTokenFile = tokenFile
        }
        do { try out.validate() } catch { throw ValidationErrorText("\(path): \(error)") }
        return out
    }

    /// The remote client's settings for one `remote_read` entry.
    static func read(_ c: Scrape.RemoteReadConfiguration, path: String) throws -> RemoteClient.RemoteReadConfiguration {
        var out = RemoteClient.RemoteReadConfiguration(url: c.url)
        out.name = c.name
        out.remoteTimeout = .init(c.remoteTimeout.duration)
        out.headers = c.headers
        out.requiredMatchers = c.requiredMatchers
        out.readRecent = c.readRecent
        try auth(c.httpClient, path: path) { basic, token, tokenFile in
            out.basicAuth = basic
            out.bearerToken = token
            out.bearerTokenFile = tokenFile
        }
        do { try out.validate() } catch { throw ValidationErrorText("\(path): \(error)") }
        return out
    }

    /// `write_relabel_configs` as a closure; nil when there are none. A nil result drops the series.
    static func relabel(_ c: Scrape.RemoteWriteConfiguration) throws -> (@Sendable (Labels) -> Labels?)? {
        guard !c.writeRelabelConfigs.isEmpty else { return nil }
        let relabeler = try Relabeler(c.writeRelabelConfigs)
        return { relabeler.process($0) }
    }

    private static func auth(
        _ h: HTTPClientConfiguration, path: String,
        _ apply: (RemoteClient.BasicAuth?, String?, String?) -> Void
    ) throws {
        if h.tlsConfig != ClientTLSConfiguration() {
            throw ValidationErrorText("\(path).tls_config: not supported for remote storage yet")
        }
        if h.proxyURL != nil { throw ValidationErrorText("\(path).proxy_url: not supported for remote storage yet") }
        let basic = h.basicAuth.map {
            RemoteClient.BasicAuth(username: $0.username, password: $0.password, passwordFile: $0.passwordFile)
        }
        if let a = h.authorization, a.type.lowercased() != "bearer" {
            throw ValidationErrorText("\(path).authorization.type: only Bearer is supported, not \"\(a.type)\"")
        }
        apply(basic, h.authorization?.credentials, h.authorization?.credentialsFile)
    }
}
