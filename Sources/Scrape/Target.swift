public import PromModel

/// One scrape target after relabeling: the labels its samples get and the URL to scrape.
public struct Target: Hashable, Sendable, CustomStringConvertible {
    /// Labels attached to every sample: `job`, `instance` and the group's labels, without `__` labels.
    public var labels: Labels
    /// Labels before `relabel_configs`, as discovered (for the targets API).
    public var discoveredLabels: Labels
    /// The URL built from `__scheme__`, `__address__`, `__metrics_path__` and `__param_*`.
    public var url: String

    /// Creates a target directly (tests, callers with their own discovery).
    public init(labels: Labels, discoveredLabels: Labels = Labels(), url: String) {
        self.labels = labels
        self.discoveredLabels = discoveredLabels
        self.url = url
    }

    public var description: String { "\(url) \(labels)" }

    /// A stable identity for a target within a job: labels and URL.
    var identity: UInt64 {
        var h = XXHash64()
        h.update(url)
        h.update(byte: 0xff)
        return labels.stableHash ^ h.finalize()
    }
}

/// Builds targets from discovered groups the way Prometheus does (`PopulateLabels`).
public struct TargetBuilder: Sendable {
    let job: ScrapeConfiguration
    let relabeler: Relabeler

    /// - Throws: ``ConfigError`` when the job's relabel regexes do not compile.
    public init(job: ScrapeConfiguration) throws {
        self.job = job
        relabeler = try Relabeler(job.relabelConfigs)
    }

    /// The targets of a group; targets dropped by relabeling or left without an address are omitted.
    public func targets(of group: StaticConfiguration) -> [Target] {
        group.targets.compactMap { target(address: $0, group: group) }
    }

    /// One target, or nil when relabeling drops it or leaves no address.
    public func target(address: String, group: StaticConfiguration) -> Target? {
        target(discovered: discoveredLabels(address: address, group: group))
    }

    /// The labels of an address before relabeling: the group's labels, `__address__` and the job's
    /// defaults (`job`, `__scheme__`, `__metrics_path__`, `__scrape_interval__`, `__param_*`, ...).
    public func discoveredLabels(address: String, group: StaticConfiguration) -> Labels {
        var items = group.labels.map { Label(name: $0.key, value: $0.value) }
        items.append(Label(name: "__address__", value: address))
        if !group.source.isEmpty { items.append(Label(name: "__meta_filepath", value: group.source)) }
        var labels = Labels(items)
        let defaults: [(String, String)] = [
            ("job", job.jobName), ("__scheme__", job.scheme), ("__metrics_path__", job.metricsPath),
            ("__scrape_interval__", job.interval.description), ("__scrape_timeout__", job.timeout.description),
        ]
        for (name, value) in defaults where labels.get(name) == nil { labels = labels.setting(name, to: value) }
        for (name, values) in job.params.sorted(by: { $0.key < $1.key }) {
            if let first = values.first, labels.get("__param_" + name) == nil {
                labels = labels.setting("__param_" + name, to: first)
            }
        }
        return labels
    }

    /// Relabels discovered labels into a target; nil when relabeling drops it or leaves no address.
    public func target(discovered: Labels) -> Target? {
        guard var relabeled = relabeler.process(discovered) else { return nil }
        let addr = relabeled["__address__"]
        guard !addr.isEmpty, !addr.contains("/") else { return nil }
        if relabeled.get("instance") == nil { relabeled = relabeled.setting("instance", to: addr) }
        let url = Self.url(relabeled, params: job.params)
        let public_ = Labels(sortedUnchecked: relabeled.items.filter { !$0.name.hasPrefix("__") })
        return Target(labels: public_, discoveredLabels: discovered, url: url)
    }

    /// `scheme://address/path?params`, where `__param_<name>` overrides the first value of `params[name]`.
    static func url(_ labels: Labels, params: [String: [String]]) -> String {
        var query = params
        for label in labels where label.name.hasPrefix("__param_") {
            let name = String(label.name.dropFirst("__param_".count))
            var values = query[name] ?? []
            if values.isEmpty { values = [label.value] } else { values[0] = label.value }
            query[name] = values
        }
        var path = labels["__metrics_path__"]
        if !path.hasPrefix("/") { path = "/" + path }
        var url = "\(labels["__scheme__"])://\(labels["__address__"])\(path)"
        let pairs = query.keys.sorted().flatMap { k in query[k]!.map { "\(percentEncode(k))=\(percentEncode($0))" } }
        if !pairs.isEmpty { url += (path.contains("?") ? "&" : "?") + pairs.joined(separator: "&") }
        return url
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay as they are).
func percentEncode(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        let unreserved =
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
        if unreserved {
            out.unicodeScalars.append(Unicode.Scalar(b))
        } else {
            out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
        }
    }
    return out
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String {
        count >= n ? self : String(repeating: "0", count: n - count) + self
    }
}
