import Foundation
import PromModel
import Receiver
import Yams

/// The optional YAML file of `hearth receive --config.file`: limits, tenant overrides, external labels.
///
/// ```yaml
/// tenant_header: THANOS-TENANT
/// default_tenant: default-tenant
/// tenant_label_name: tenant_id
/// external_labels: {replica: a}
/// future_grace: 10m
/// limits: {max_active_series: 1000000, samples_per_second: 500000, samples_burst: 1000000}
/// tenant_limits:
///   team-a: {max_active_series: 10000}
/// ```
/// Unknown keys are rejected with their path, so a typo never silently falls back to a default.
struct ReceiveConfigFile {
    static let topLevelKeys: Set<String> = [
        "tenant_header", "default_tenant", "tenant_label_name", "external_labels", "future_grace", "limits",
        "tenant_limits",
    ]
    static let limitKeys: Set<String> = [
        "max_active_series", "samples_per_second", "samples_burst", "max_labels_per_series", "max_label_name_length",
        "max_label_value_length", "max_request_bytes", "max_decoded_request_bytes", "max_read_series", "max_read_bytes",
    ]

    /// Applies the file at `path` onto `configuration`.
    static func apply(path: String, to configuration: inout ReceiverConfiguration) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ValidationErrorText("cannot read config file \(path): \(error.localizedDescription)")
        }
        try apply(yaml: text, source: path, to: &configuration)
    }

    static func apply(yaml text: String, source: String, to configuration: inout ReceiverConfiguration) throws {
        guard let root = try Yams.load(yaml: text) else { return }
        guard let map = root as? [String: Any] else { throw ValidationErrorText("\(source): top level must be a mapping") }
        try checkKeys(map, allowed: topLevelKeys, path: "")
        if let v = map["tenant_header"] { configuration.tenantHeader = try string(v, "tenant_header") }
        if let v = map["default_tenant"] { configuration.defaultTenant = try string(v, "default_tenant") }
        if let v = map["tenant_label_name"] { configuration.tenantLabelName = try string(v, "tenant_label_name") }
        if let v = map["external_labels"] {
            guard let labels = v as? [String: Any] else { throw ValidationErrorText("external_labels must be a mapping") }
            for (k, value) in labels { configuration.externalLabels[k] = try string(value, "external_labels.\(k)") }
        }
        if let v = map["future_grace"] {
            do { configuration.futureGraceMs = try PrometheusDuration.parseMilliseconds(try string(v, "future_grace")) } catch {
                throw ValidationErrorText("future_grace: \(error)")
            }
        }
        if let v = map["limits"] { configuration.defaultLimits = try limits(v, path: "limits") }
        if let v = map["tenant_limits"] {
            guard let tenants = v as? [String: Any] else { throw ValidationErrorText("tenant_limits must be a mapping") }
            for (tenant, l) in tenants {
                configuration.tenantLimits[tenant] = try limits(l, path: "tenant_limits.\(tenant)", base: configuration.defaultLimits)
            }
        }
    }

    private static func checkKeys(_ map: [String: Any], allowed: Set<String>, path: String) throws {
        for key in map.keys.sorted() where !allowed.contains(key) {
            throw ValidationErrorText("unknown field \"\(path)\(key)\"; known fields: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private static func string(_ v: Any, _ path: String) throws -> String {
        if let s = v as? String { return s }
        if let n = v as? Int { return String(n) }
        throw ValidationErrorText("\(path) must be a string")
    }

    /// Decodes a limits mapping over `base`, so a tenant override only names what differs.
    private static func limits(_ v: Any, path: String, base: TenantLimits = TenantLimits()) throws -> TenantLimits {
        guard let map = v as? [String: Any] else { throw ValidationErrorText("\(path) must be a mapping") }
        try checkKeys(map, allowed: limitKeys, path: path + ".")
        var merged: [String: Any] = [:]
        let baseData = try JSONEncoder().encode(base)
        if let baseMap = try JSONSerialization.jsonObject(with: baseData) as? [String: Any] { merged = baseMap }
        for (k, value) in map { merged[k] = value }
        do {
            let data = try JSONSerialization.data(withJSONObject: merged)
            return try JSONDecoder().decode(TenantLimits.self, from: data)
        } catch {
            throw ValidationErrorText("\(path): \(error)")
        }
    }
}
