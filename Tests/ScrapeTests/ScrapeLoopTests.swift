import AsyncHTTPClient
import Foundation
import HTTPTypes
import PromModel
import Testing

@testable import Scrape

/// Scrape loops against a loopback Hummingbird server, driven by explicit timestamps.
@Suite(.serialized) struct ScrapeLoopTests {
    static let targetLabels: Labels = ["job": "test", "instance": "local"]

    func withLoop(
        job: ScrapeConfiguration = ScrapeConfiguration(jobName: "test"),
        _ body: (ScrapeLoop, ExpositionPage, MemoryAppendable) async throws -> Void
    ) async throws {
        try await withExpositionServer { port, page in
            try await HTTPClient.withHTTPClient(
                configuration: HTTPTargetFetcher.clientConfiguration(bodySizeLimit: 1 << 20)
            ) { client in
                var job = job
                if job.scrapeTimeout == nil { job.scrapeTimeout = .seconds(5) }
                let target = Target(labels: Self.targetLabels, url: "http://127.0.0.1:\(port)/metrics")
                let storage = MemoryAppendable()
                let loop = ScrapeLoop(
                    target: target, settings: try ScrapeSettings(job), appendable: storage,
                    fetcher: HTTPTargetFetcher(client: client))
                try await body(loop, page, storage)
            }
        }
    }

    func series(_ name: String, _ extra: [String: String] = [:]) -> Labels {
        var l = Self.targetLabels.setting("__name__", to: name)
        for (k, v) in extra { l = l.setting(k, to: v) }
        return l
    }

    @Test func appendsSamplesAndSyntheticSeries() async throws {
        try await withLoop { loop, page, storage in
            page.set("# TYPE a counter\na{x=\"1\"} 5\na{x=\"2\"} 6\nb 7\n")
            let status = await loop.scrapeOnce(at: Timestamp(ms: 1000))
            #expect(status.health == .up && status.lastError == nil)
            let at = storage.at(1000)
            #expect(at[series("a", ["x": "1"])] == 5)
            #expect(at[series("a", ["x": "2"])] == 6)
            #expect(at[series("b")] == 7)
            #expect(at[series("up")] == 1)
            #expect(at[series("scrape_samples_scraped")] == 3)
            #expect(at[series("scrape_samples_post_metric_relabeling")] == 3)
            #expect(at[series("scrape_series_added")] == 3)
            #expect(at[series("scrape_duration_seconds")].map { $0 >= 0 } == true)
            #expect(page.lastRequest?[.accept] == HTTPTargetFetcher.acceptHeader)
            #expect(page.lastRequest?[.acceptEncoding] == "gzip")

            await loop.scrapeOnce(at: Timestamp(ms: 2000))
            #expect(storage.at(2000)[series("scrape_series_added")] == 0)
        }
    }

    @Test func vanishedSeriesGetsStaleMarker() async throws {
        try await withLoop { loop, page, storage in
            page.set("a 1\nb 2\n")
            await loop.scrapeOnce(at: Timestamp(ms: 1000))
            page.set("a 1\n")
            await loop.scrapeOnce(at: Timestamp(ms: 2000))
            let b = storage.samples(series("b"))
            #expect(b.count == 2 && b[0] == Sample(t: Timestamp(ms: 1000), v: 2))
            #expect(b[1].t.ms == 2000 && StaleNaN.isStale(b[1].v))
            #expect(storage.samples(series("a")).map(\.v) == [1, 1])
        }
    }

    @Test func failedScrapeIsDownAndMarksEverythingStale() async throws {
        try await withLoop { loop, page, storage in
            page.set("a 1\n")
            await loop.scrapeOnce(at: Timestamp(ms: 1000))
            page.set("oops", status: .internalServerError)
            let status = await loop.scrapeOnce(at: Timestamp(ms: 2000))
            #expect(status.health == .down)
            #expect(status.lastError == "server returned HTTP status 500 Internal Server Error")
            #expect(storage.at(2000)[series("up")] == 0)
            #expect(storage.samples(series("a")).last.map { StaleNaN.isStale($0.v) } == true)
        }
    }

    @Test func removedTargetMarksSeriesAndSyntheticSeriesStale() async throws {
        try await withLoop { loop, page, storage in
            page.set("a 1\n")
            await loop.scrapeOnce(at: Timestamp(ms: 1000))
            await loop.markStale(at: Timestamp(ms: 1500))
            let stale = storage.at(1500)
            #expect(
                Set(stale.keys) == [
                    series("a"), series("up"), series("scrape_duration_seconds"),
                    series("scrape_samples_scraped"), series("scrape_samples_post_metric_relabeling"),
                    series("scrape_series_added"),
                ])
            #expect(stale.values.allSatisfy(StaleNaN.isStale))
        }
    }

    @Test func sampleLimitFailsTheWholeScrape() async throws {
        var job = ScrapeConfiguration(jobName: "test")
        job.sampleLimit = 2
        try await withLoop(job: job) { loop, page, storage in
            page.set("a 1\nb 2\nc 3\n")
            let status = await loop.scrapeOnce(at: Timestamp(ms: 1000))
            #expect(status.lastError == "sample_limit exceeded (limit: 2)")
            let at = storage.at(1000)
            #expect(at[series("up")] == 0)
            #expect(at[series("a")] == nil && at[series("b")] == nil)
        }
    }

    @Test func labelLimitFailsTheScrape() async throws {
        var job = ScrapeConfiguration(jobName: "test")
        job.labelNameLengthLimit = 8
        try await withLoop(job: job) { loop, page, _ in
            page.set("a{toolongname=\"x\"} 1\n")
            let status = await loop.scrapeOnce(at: Timestamp(ms: 1000))
            #expect(
                status.lastError
                    == "label_name_length_limit exceeded (metric: a, label name: toolongname, length: 11, limit: 8)")
        }
    }

    @Test func honorLabelsAndTimestamps() async throws {
        try await withLoop { loop, page, storage in
            page.set("a{job=\"exported\"} 1 500\n")
            await loop.scrapeOnce(at: Timestamp(ms: 1000))
            #expect(storage.samples(series("a", ["exported_job": "exported"])) == [Sample(t: Timestamp(ms: 500), v: 1)])
        }
        var job = ScrapeConfiguration(jobName: "test")
        job.honorLabels = true
        job.honorTimestamps = false
        try await withLoop(job: job) { loop, page, storage in
            page.set("a{job=\"exported\"} 1 500\n")
            await loop.scrapeOnce(at: Timestamp(ms: 1000))
            #expect(
                storage.samples(series("a").setting("job", to: "exported")) == [Sample(t: Timestamp(ms: 1000), v: 1)])
        }
    }

    @Test func metricRelabelingDropsSeries() async throws {
        var job = ScrapeConfiguration(jobName: "test")
        job.metricRelabelConfigs = [RelabelConfiguration(sourceLabels: ["__name__"], regex: "go_.*", action: .drop)]
        try await withLoop(job: job) { loop, page, storage in
            page.set("go_goroutines 5\nkeep_me 1\n")
            await loop.scrapeOnce(at: Timestamp(ms: 1000))
            let at = storage.at(1000)
            #expect(at[series("go_goroutines")] == nil && at[series("keep_me")] == 1)
            #expect(
                at[series("scrape_samples_scraped")] == 2 && at[series("scrape_samples_post_metric_relabeling")] == 1)
        }
    }

    @Test func openMetricsByContentType() async throws {
        try await withLoop { loop, page, storage in
            page.set(
                "# TYPE c counter\nc_total 3 1.5\nc_created 1\n# EOF\n",
                contentType: "application/openmetrics-text; version=1.0.0")
            await loop.scrapeOnce(at: Timestamp(ms: 2000))
            #expect(storage.samples(series("c_total")) == [Sample(t: Timestamp(ms: 1500), v: 3)])
            // Prometheus 2.x stores OpenMetrics `_created` lines as their own series.
            #expect(storage.samples(series("c_created")) == [Sample(t: Timestamp(ms: 2000), v: 1)])
        }
    }

    @Test func parseErrorIsReportedWithLine() async throws {
        try await withLoop { loop, page, _ in
            page.set("a 1\nb{ 2\n")
            let status = await loop.scrapeOnce(at: Timestamp(ms: 1000))
            #expect(status.lastError == "line 2: invalid label name at \"2\"")
        }
    }

    @Test func gzipBodyAndBodySizeLimit() async throws {
        var job = ScrapeConfiguration(jobName: "test")
        job.bodySizeLimit = ConfigByteSize(bytes: 64)
        try await withLoop(job: job) { loop, page, storage in
            let text = "a 1\n" + (0..<20).map { "series_\($0) \($0)\n" }.joined()
            guard let compressed = try gzip(Array(text.utf8)) else {
                print("skipping gzip test: gzip not installed")
                return
            }
            page.setGzipped(compressed)
            let status = await loop.scrapeOnce(at: Timestamp(ms: 1000))
            // The compressed body is under the limit, the decompressed one is not.
            #expect(compressed.count < 128)
            #expect(status.lastError == "body size limit exceeded (limit: 64 bytes)")
            page.setGzipped(try gzip(Array("a 1\n".utf8))!)
            #expect(await loop.scrapeOnce(at: Timestamp(ms: 2000)).health == .up)
            #expect(storage.at(2000)[series("a")] == 1)
        }
    }

    @Test func basicAuthAndBearerHeaders() async throws {
        var job = ScrapeConfiguration(jobName: "test")
        job.httpClient.basicAuth = BasicAuthConfiguration(username: "u", password: "p")
        try await withLoop(job: job) { loop, page, _ in
            page.set("a 1\n")
            await loop.scrapeOnce(at: Timestamp(ms: 1000))
            #expect(page.lastRequest?[.authorization] == "Basic dTpw")
        }
        job.httpClient.basicAuth = nil
        job.httpClient.authorization = AuthorizationConfiguration(credentials: "tok")
        try await withLoop(job: job) { loop, page, _ in
            page.set("a 1\n")
            await loop.scrapeOnce(at: Timestamp(ms: 1000))
            #expect(page.lastRequest?[.authorization] == "Bearer tok")
        }
    }
}
