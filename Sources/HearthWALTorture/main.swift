// hearth-wal-torture: appends to a TSDB until killed, for the kill -9 durability test.
//
// Usage: HearthWALTorture <data-dir> <base-timestamp-ms> [tasks] [series-per-task]
//        HearthWALTorture bench <data-dir> [series] [scrapes] [tasks]   (see Bench.swift)
//
// Opens the DB (replaying whatever an earlier, killed run left), then runs `tasks` concurrent
// appenders. Each commits one sample for each of its series at timestamps base, base+10, ... and,
// only after commit() returned, writes the line `ACK <task> <timestamp>` to stdout with one write(2),
// so a line is either fully printed or absent. Task 0 also runs compaction every 100 commits.
// The value of every sample is `torture_value(task, series, t)`, which the test recomputes.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PromModel
import StorageAPI
import TSDB

func tortureValue(task: Int, series: Int, t: Int64) -> Double { Double(t) * 8 + Double(task * 1000 + series) / 4 }

func emit(_ line: String) {
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(1, raw.baseAddress! + done, raw.count - done)
            if n <= 0 { exit(3) }
            done += n
        }
    }
}

let args = CommandLine.arguments
if args.count > 1 && args[1] == "bench" {
    do {
        try await runBench(args)
        exit(0)
    } catch {
        emit("ERROR bench: \(error)\n")
        exit(1)
    }
}
guard args.count >= 3, let base = Int64(args[2]) else {
    emit("usage: HearthWALTorture <data-dir> <base-timestamp-ms> [tasks] [series-per-task]\n")
    exit(2)
}
let directory = args[1]
let tasks = args.count > 3 ? Int(args[3]) ?? 4 : 4
let seriesPerTask = args.count > 4 ? Int(args[4]) ?? 5 : 5

var options = DBOptions(blockRange: .seconds(3600))
options.wal = WALOptions(segmentSize: 128 * 1024, syncPolicy: .always)
let db: DB
do {
    db = try DB(directory: directory, options: options)
} catch {
    emit("ERROR open: \(error)\n")
    exit(1)
}
// Compact at start too, so checkpoints and WAL truncation run under the kills, not only appends.
do {
    _ = try await db.compact()
} catch {
    emit("ERROR compact: \(error)\n")
    exit(1)
}
emit("READY\n")

do {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for task in 0..<tasks {
            group.addTask {
                var refs = [SeriesRef?](repeating: nil, count: seriesPerTask)
                var i: Int64 = 0
                while true {
                    let t = base + i * 10
                    var app = db.appender()
                    for s in 0..<seriesPerTask {
                        let labels: Labels = ["__name__": "torture", "task": "\(task)", "s": "\(s)"]
                        refs[s] = try app.append(ref: refs[s], labels: labels, t: Timestamp(ms: t),
                                                 v: tortureValue(task: task, series: s, t: t))
                    }
                    try await app.commit()
                    emit("ACK \(task) \(t)\n")
                    i += 1
                    if task == 0 && i % 100 == 0 { _ = try await db.compact() }
                }
            }
        }
        try await group.waitForAll()
    }
} catch {
    emit("ERROR append: \(error)\n")
    exit(1)
}
