import Foundation
import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// Byte compatibility of our WAL with Prometheus 2.x, both ways, using the Debian binaries.
/// Skipped when they are absent.
@Suite struct WALPrometheusCompatibilityTests {
    static let promtool = ExternalTool.find("promtool")
    static let prometheus = ExternalTool.find("prometheus")

    @Test(.enabled(if: promtool != nil, "promtool is not installed"))
    func promtoolReadsOurWAL() async throws {
        let dir = ScratchDirectory()
        let db = try DB(directory: dir.path)
        var want: [DumpParser.Line] = []
        var app = db.appender()
        for i in 0..<3 {
            let labels: Labels = ["__name__": "wal_compat", "i": "\(i)"]
            for k in 0..<200 {
                let t = Int64(1_700_000_000_000 + k * 15_000)
                let v = k == 7 ? -.infinity : Double(i) * 1000 + Double(k) * 0.25
                _ = try app.append(ref: nil, labels: labels, t: Timestamp(ms: t), v: v)
                want.append(.init(labels: DumpParser.format([("__name__", "wal_compat"), ("i", "\(i)")]), t: t, bits: v.bitPattern))
            }
        }
        try await app.commit()
        try db.close()
        let out = try ExternalTool.run(Self.promtool!, ["tsdb", "dump", dir.path])
        #expect(out.status == 0, "\(out.stderr)")
        let got = DumpParser.parse(out.stdout).filter { $0.labels.contains("wal_compat") }
        #expect(Set(got) == Set(want))
        #expect(got.count == want.count)
    }

    @Test(.enabled(if: prometheus != nil && promtool != nil, "prometheus/promtool are not installed"),
          arguments: ["--no-storage.tsdb.wal-compression", "--storage.tsdb.wal-compression"])
    func weReplayAPrometheusWAL(compression: String) async throws {
        let dir = ScratchDirectory()
        let port = ExternalTool.freePort()
        let config = dir.path + "/prometheus.yml"
        try DiskIO.writeFile(config, Array("""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: self
                static_configs:
                  - targets: ['127.0.0.1:\(port)']
            """.utf8))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.prometheus!)
        p.arguments = ["--config.file=\(config)", "--storage.tsdb.path=\(dir.path)/data",
                       "--web.listen-address=127.0.0.1:\(port)", compression]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait (bounded) for the first scrape in the WAL, then let a few more 1 s scrapes happen.
        for _ in 0..<300 where (DiskIO.fileSize(dir.path + "/data/wal/00000000") ?? 0) == 0 {
            usleep(100_000)
        }
        usleep(3_500_000)
        p.terminate()
        p.waitUntilExit()

        // With compression on, Prometheus really wrote snappy fragments (and not with it off).
        let segment = try DiskIO.readFile(dir.path + "/data/wal/00000000")
        var snappyFragments = 0, at = 0
        while case .success(let step) = WALSegmentReader.step(segment, at: at) {
            if case .fragment(let f) = step {
                if f.snappy { snappyFragments += 1 }
                at = f.dataStart + f.length
            } else if case .skipTo(let next) = step {
                at = next
            } else {
                break
            }
        }
        #expect((snappyFragments > 0) == (compression == "--storage.tsdb.wal-compression"))

        let wal = try WAL(directory: dir.path + "/data/wal")
        let head = try Head()
        let report = try head.replay(from: wal)
        #expect(report.series > 100)
        #expect(report.samples > 100)
        #expect(report.unknownReferences == 0)
        let up = try await collect(head.querier(mint: .min, maxt: .max), [.equal("__name__", "up")])
        let samples = try #require(up.values.first)
        #expect(up.count == 1 && samples.count >= 2)
        #expect(samples.allSatisfy { $0.v == 1 })
        // promtool's reading of the same WAL agrees on every sample of `up`.
        let out = try ExternalTool.run(Self.promtool!, ["tsdb", "dump", dir.path + "/data"])
        let theirs = DumpParser.parse(out.stdout).filter { $0.labels.hasPrefix("{__name__=\"up\"") }
        #expect(Set(theirs.map(\.t)) == Set(samples.map(\.t.ms)))
    }
}
