public import NIOSSL
import PromModel

/// The per-job settings a scrape loop needs, compiled once from a ``ScrapeConfiguration``.
public struct ScrapeSettings: Sendable {
    /// The job name.
    public var jobName: String
    /// The interval.
    public var interval: Duration
    /// The timeout.
    public var timeout: Duration
    /// The honor labels.
    public var honorLabels: Bool
    /// The honor timestamps.
    public var honorTimestamps: Bool
    /// The track timestamps staleness.
    public var trackTimestampsStaleness: Bool
    /// 0 means no limit.
    public var sampleLimit: Int
    /// The label limit.
    public var labelLimit: Int
    /// The label name length limit.
    public var labelNameLengthLimit: Int
    /// The label value length limit.
    public var labelValueLengthLimit: Int
    /// The largest body accepted after decompression, in bytes.
    public var bodySizeLimit: Int
    /// The enable compression.
    public var enableCompression: Bool
    /// The longest exposition line accepted, in bytes.
    public var maxLineLength: Int
    /// The metric relabeler.
    public var metricRelabeler: Relabeler
    /// The http client.
    public var httpClient: HTTPClientConfiguration
    /// `tls_config` compiled for AsyncHTTPClient; nil when the job sets none (system trust roots).
    public var tlsConfiguration: TLSConfiguration?

    /// The body cap used when a job sets none: large enough for any sane exporter, small enough
    /// that a runaway target cannot exhaust memory.
    public static let defaultBodySizeLimit = 64 << 20

    /// Compiles a job's settings.
    /// - Throws: ``ConfigError`` when a metric relabel regex does not compile or a TLS file cannot be loaded.
    /// - Parameter path: the job's field path for error messages (`scrape_configs[2]`); nil names the job.
    public init(_ job: ScrapeConfiguration, path: String? = nil) throws {
        jobName = job.jobName
        interval = job.interval.duration
        timeout = job.timeout.duration
        honorLabels = job.honorLabels
        honorTimestamps = job.honorTimestamps
        trackTimestampsStaleness = job.trackTimestampsStaleness
        sampleLimit = job.sampleLimit
        labelLimit = job.labelLimit
        labelNameLengthLimit = job.labelNameLengthLimit
        labelValueLengthLimit = job.labelValueLengthLimit
        bodySizeLimit = job.bodySizeLimit.bytes > 0 ? job.bodySizeLimit.bytes : Self.defaultBodySizeLimit
        enableCompression = job.enableCompression
        maxLineLength = 1 << 20
        metricRelabeler = try Relabeler(job.metricRelabelConfigs)
        httpClient = job.httpClient
        tlsConfiguration =
            job.httpClient.tlsConfig.isEmpty
            ? nil : try job.httpClient.tlsConfig.makeTLSConfiguration(
                path: (path ?? "job \"\(job.jobName)\"") + ".tls_config")
    }

    /// Merges a scraped series' labels with the target's and applies `metric_relabel_configs`.
    /// - Returns: nil when relabeling drops the series.
    func finalLabels(_ scraped: Labels, target: Labels) -> Labels? {
        var labels = scraped
        if honorLabels {
            for l in target where labels.get(l.name) == nil { labels = labels.setting(l.name, to: l.value) }
        } else {
            for l in target {
                if let existing = labels.get(l.name) {
                    var name = "exported_" + l.name
                    while labels.get(name) != nil { name = "exported_" + name }
                    labels = labels.setting(name, to: existing)
                }
                labels = labels.setting(l.name, to: l.value)
            }
        }
        return metricRelabeler.isEmpty ? labels : metricRelabeler.process(labels)
    }

    /// Checks label count and lengths.
    /// - Returns: a description of the first limit exceeded, or nil.
    func limitViolation(_ labels: Labels) -> String? {
        let metric = labels.metricName
        if labelLimit > 0 && labels.count > labelLimit {
            return "label_limit exceeded (metric: \(metric), number of labels: \(labels.count), limit: \(labelLimit))"
        }
        for l in labels {
            let name = l.name.utf8.count, value = l.value.utf8.count
            if labelNameLengthLimit > 0 && name > labelNameLengthLimit {
                return "label_name_length_limit exceeded (metric: \(metric), label name: \(l.name), "
                    + "length: \(name), limit: \(labelNameLengthLimit))"
            }
            if labelValueLengthLimit > 0 && value > labelValueLengthLimit {
                return "label_value_length_limit exceeded (metric: \(metric), label name: \(l.name), "
                    + "length: \(value), limit: \(labelValueLengthLimit))"
            }
        }
        return nil
    }
}

/// Why a scrape failed; becomes `up == 0` and the target's last error.
public struct ScrapeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message.
    public var message: String
    public init(_ message: String) { self.message = message }
    /// The description.
    public var description: String { message }
}
