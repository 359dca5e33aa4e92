#if canImport(Glibc)
import Glibc
#endif
import PromModel
import StorageAPI
import TSDB

/// `HearthWALTorture bench <dir> [series] [scrapes] [tasks] [always|never]`: prints head memory per series and
/// append throughput, without and with the WAL (group commit, fsync per batch). Build with
/// `-c release` for meaningful numbers; wall-clock numbers are local, not CI gates.
func runBench(_ args: [String]) async throws {
    let dir = args.count > 2 ? args[2] : "./bench-data"
    let n = args.count > 3 ? Int(args[3]) ?? 100_000 : 100_000
    let scrapes = args.count > 4 ? Int(args[4]) ?? 10 : 10
    let tasks = args.count > 5 ? Int(args[5]) ?? 4 : 4
    let sync: WALSyncPolicy = args.count > 6 && args[6] == "never" ? .never : .always
    let labels = (0..<n).map(benchLabels)

    var heads: [Head] = []
    for mapped in [false, true] {
        let before = residentBytes()
        let head = try Head(chunkDirectory: mapped ? dir + "-chunks" : nil)
        let (create, steady) = try await appendScrapes(head, labels, scrapes: scrapes, tasks: 1)
        let after = residentBytes()
        heads.append(head)
        emit("series=\(n) scrapes=\(scrapes) head-only (closed chunks \(mapped ? "mapped" : "on heap")), 1 task: "
            + "\((after.total - before.total) / n) bytes/series RSS delta, \((after.anonymous - before.anonymous) / n) anonymous; "
            + "creation \(rate(n, create)) samples/s, known series \(rate(n * (scrapes - 1), steady)) samples/s\n")
    }

    var options = DBOptions()
    options.wal = WALOptions(syncPolicy: sync)
    let db = try DB(directory: dir, options: options)
    let (createWAL, steadyWAL) = try await appendScrapes(db.head, labels, scrapes: scrapes, tasks: tasks)
    emit("series=\(n) scrapes=\(scrapes) DB with WAL (sync \(sync)), \(tasks) tasks: "
        + "creation \(rate(n, createWAL)) samples/s, known series \(rate(n * (scrapes - 1), steadyWAL)) samples/s\n")
    try db.close()

    let replayStart = ContinuousClock.now
    let reopened = try DB(directory: dir, options: options)
    let replayTime = ContinuousClock.now - replayStart
    let r = reopened.replayReport
    emit("WAL replay on open: \(r.series) series, \(r.samples) samples in \(replayTime) "
        + "(\(rate(r.samples, replayTime)) samples/s)\n")
    try reopened.close()
    withExtendedLifetime(heads) {}
}

func benchLabels(_ i: Int) -> Labels {
    [
        "__name__": "http_requests_total", "job": "node", "instance": "10.\(i / 65536).\(i / 256 % 256).\(i % 256):9100",
        "path": "/api/v1/endpoint\(i % 50)", "code": "\([200, 404, 500][i % 3])", "method": "GET",
    ]
}

/// Appends `scrapes` rounds of one sample per series in 2,000-sample commits, split over `tasks`.
/// - Returns: the time of the first round (series creation) and of the others.
func appendScrapes(_ head: Head, _ labels: [Labels], scrapes: Int, tasks: Int) async throws -> (Duration, Duration) {
    let clock = ContinuousClock()
    var first = Duration.zero, rest = Duration.zero
    let per = (labels.count + tasks - 1) / tasks
    let refsBox = RefsBox(count: labels.count)
    for scrape in 0..<scrapes {
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var i = task * per
                    let end = min(labels.count, (task + 1) * per)
                    while i < end {
                        var app = head.appender()
                        for j in i..<min(i + 2000, end) {
                            let r = try app.append(ref: refsBox.refs[j], labels: labels[j], t: Timestamp(ms: Int64(scrape) * 15_000), v: Double(j))
                            refsBox.refs[j] = r
                        }
                        try await app.commit()
                        i += 2000
                    }
                }
            }
            try await group.waitForAll()
        }
        if scrape == 0 { first = clock.now - start } else { rest += clock.now - start }
    }
    return (first, rest)
}

/// Series references by index. @unchecked Sendable: each task writes only its own index range.
final class RefsBox: @unchecked Sendable {
    var refs: [SeriesRef?]
    init(count: Int) { refs = [SeriesRef?](repeating: nil, count: count) }
}

func rate(_ samples: Int, _ d: Duration) -> Int {
    let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    return s > 0 ? Int(Double(samples) / s) : 0
}

/// Resident set size in bytes, and its anonymous part (without file-backed pages such as mapped
/// chunks), from /proc/self/statm; zeros where unavailable.
func residentBytes() -> (total: Int, anonymous: Int) {
    let fd = open("/proc/self/statm", O_RDONLY)
    guard fd >= 0 else { return (0, 0) }
    defer { close(fd) }
    var buf = [UInt8](repeating: 0, count: 256)
    let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    guard n > 0 else { return (0, 0) }
    let fields = String(decoding: buf[..<n], as: UTF8.self).split(separator: " ")
    guard fields.count > 2, let pages = Int(fields[1]), let shared = Int(fields[2]) else { return (0, 0) }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    return (pages * page, (pages - shared) * page)
}
