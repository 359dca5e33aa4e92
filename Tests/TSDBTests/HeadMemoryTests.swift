#if canImport(Glibc)
import Glibc
#endif
import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// Measures (and prints) head memory per series and append throughput. Asserts only counts:
/// numbers depend on the machine and on what else runs, so they are reported, not gated.
/// Run alone for meaningful numbers: `swift test --filter HeadMemoryTests`.
@Suite(.serialized) struct HeadMemoryTests {
    /// Resident set size of this process in bytes, from /proc/self/statm.
    static func residentBytes() -> Int? {
        guard let bytes = try? DiskIO.readFile("/proc/self/statm") else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func labels(_ i: Int) -> Labels {
        [
            "__name__": "http_requests_total", "job": "node", "instance": "10.\(i / 65536).\(i / 256 % 256).\(i % 256):9100",
            "path": "/api/v1/endpoint\(i % 50)", "code": "\([200, 404, 500][i % 3])", "method": "GET",
        ]
    }

    @Test func bytesPerSeriesAndAppendThroughput() async throws {
        let n = 100_000
        let scrapes = 10
        let all = (0..<n).map(Self.labels)
        let before = Self.residentBytes()
        let head = try Head()
        var refs = [SeriesRef?](repeating: nil, count: n)
        let clock = ContinuousClock()
        var creation = Duration.zero, steady = Duration.zero
        for scrape in 0..<scrapes {
            let start = clock.now
            // Commits of 2,000 samples, the size of one remote-write request in PERFORMANCE.md.
            var i = 0
            while i < n {
                var app = head.appender()
                for j in i..<min(i + 2000, n) {
                    refs[j] = try app.append(ref: refs[j], labels: all[j], t: Timestamp(ms: Int64(scrape) * 15_000), v: Double(j))
                }
                try await app.commit()
                i += 2000
            }
            if scrape == 0 { creation += clock.now - start } else { steady += clock.now - start }
        }
        let after = Self.residentBytes()
        #expect(head.seriesCount == n)
        #expect(head.statistics.samplesAppended == n * scrapes)
        if let before, let after {
            print("head memory: \((after - before) / n) bytes per series (RSS delta over \(n) series, \(scrapes) samples each)")
        }
        let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        print("head append: series creation \(Int(Double(n) / seconds(creation))) samples/s; "
            + "known series \(Int(Double(n * (scrapes - 1)) / seconds(steady))) samples/s (one task, no WAL, debug build unless -c release)")
        withExtendedLifetime(all) {}
    }
}
