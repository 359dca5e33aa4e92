import PromModel
import PromWire
import StorageAPI

/// What one scrape appended, for the synthetic series.
public struct ScrapeCounts: Sendable, Hashable {
    /// Samples in the exposition (`scrape_samples_scraped`).
    public var scraped = 0
    /// Samples left after metric relabeling (`scrape_samples_post_metric_relabeling`).
    public var postRelabel = 0
    /// Series not seen in the previous scrapes (`scrape_series_added`).
    public var seriesAdded = 0

    public init() {}
}

/// Per-target memory between scrapes: parsed label sets and storage references keyed by the raw
/// series bytes, and the series written last time, which get staleness markers when they vanish.
struct ScrapeCache {
    private struct Entry {
        var raw: [UInt8]
        /// nil when metric relabeling drops the series.
        var labels: Labels?
        var labelsHash: UInt64
        var ref: SeriesRef?
        var lastIteration: Int
    }

    private var entries: [UInt64: Entry] = [:]
    /// Series appended without an explicit timestamp by the last successful scrape, by label hash.
    private(set) var previous: [UInt64: Labels] = [:]
    private var iteration = 0
    /// TYPE, HELP and UNIT of the families of the last successful scrape, for remote-write metadata.
    private(set) var metadata: [MetricMetadata] = []

    /// Parses `body` and appends every sample at `t` (or its own timestamp when honored), then
    /// staleness markers for series the previous scrape had and this one lacks.
    /// - Throws: ``ScrapeError`` for a parse error or an exceeded limit; the caller rolls back.
    mutating func append(
        body: [UInt8], format: TextExpositionFormat, t: Timestamp, target: Labels, settings: ScrapeSettings,
        into app: inout any Appender
    ) throws(ScrapeError) -> ScrapeCounts {
        iteration += 1
        var parser = TextExpositionParser(bytes: body, format: format, maxLineLength: settings.maxLineLength)
        var counts = ScrapeCounts()
        var current: [UInt64: Labels] = [:]
        current.reserveCapacity(previous.count)
        do {
            while let e = try parser.next() {
                counts.scraped += 1
                let key = body.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[e.series])) }
                var entry: Entry
                if let hit = entries[key], hit.raw.elementsEqual(body[e.series]) {
                    entry = hit
                } else {
                    let final = settings.finalLabels(try parser.labels(of: e), target: target)
                    if let final, let violation = settings.limitViolation(final) { throw ScrapeError(violation) }
                    entry = Entry(
                        raw: Array(body[e.series]), labels: final, labelsHash: final?.stableHash ?? 0, ref: nil,
                        lastIteration: 0)
                }
                let seenBefore = entry.lastIteration > 0
                entry.lastIteration = iteration
                defer { entries[key] = entry }
                guard let labels = entry.labels else { continue }
                counts.postRelabel += 1
                if settings.sampleLimit > 0 && counts.postRelabel > settings.sampleLimit {
                    throw ScrapeError("sample_limit exceeded (limit: \(settings.sampleLimit))")
                }
                let own = settings.honorTimestamps ? e.timestamp : nil
                do {
                    entry.ref = try app.append(ref: entry.ref, labels: labels, t: own ?? t, v: e.value)
                } catch {
                    // Out-of-order, duplicate and too-old samples are skipped one by one, as in Prometheus.
                    continue
                }
                if !seenBefore && previous[entry.labelsHash] == nil { counts.seriesAdded += 1 }
                if own == nil || settings.trackTimestampsStaleness { current[entry.labelsHash] = labels }
            }
        } catch let error as TextExpositionError {
            throw ScrapeError("\(error)")
        } catch let error as ScrapeError {
            throw error
        } catch {
            throw ScrapeError("\(error)")
        }
        markStale(keeping: current, t: t, into: &app)
        previous = current
        evict()
        metadata = Self.metadata(of: parser)
        return counts
    }

    /// Appends staleness markers for every series of the previous scrape not in `current`; with an
    /// empty `current` (a failed scrape, or a target that went away) every previous series goes stale.
    mutating func markStale(keeping current: [UInt64: Labels] = [:], t: Timestamp, into app: inout any Appender) {
        for (hash, labels) in previous where current[hash] == nil {
            _ = try? app.append(ref: nil, labels: labels, t: t, v: StaleNaN.value)
        }
        previous = current
    }

    /// One entry per family that has a TYPE, HELP or UNIT line, sorted by name.
    static func metadata(of parser: TextExpositionParser) -> [MetricMetadata] {
        let names = Set(parser.types.keys).union(parser.helps.keys).union(parser.units.keys)
        return names.sorted().map { name in
            let type: MetricType
            switch parser.types[name] ?? .unknown {
            case .counter: type = .counter
            case .gauge: type = .gauge
            case .histogram: type = .histogram
            case .gaugehistogram: type = .gaugeHistogram
            case .summary: type = .summary
            case .info: type = .info
            case .stateset: type = .stateset
            case .untyped, .unknown: type = .unknown
            }
            return MetricMetadata(
                type: type, metricFamilyName: name, help: parser.helps[name] ?? "", unit: parser.units[name] ?? "")
        }
    }

    /// Drops entries not seen in the last two scrapes, so churned series do not pile up.
    private mutating func evict() {
        guard entries.count > 2 * max(previous.count, 16) || iteration % 16 == 0 else { return }
        let threshold = iteration - 2
        entries = entries.filter { $0.value.lastIteration >= threshold }
    }
}
