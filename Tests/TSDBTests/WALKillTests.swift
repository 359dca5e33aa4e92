import Foundation
import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// kill -9 proof: a child process appends and acknowledges commits on stdout; we SIGKILL it at a
/// random acknowledgement count, reopen the data directory and require every acknowledged sample.
@Suite(.serialized) struct WALKillTests {
    static let rounds = 20
    static let tasks = 4
    static let seriesPerTask = 5

    /// Same formula as `tortureValue` in Sources/HearthWALTorture/main.swift.
    static func value(task: Int, series: Int, t: Int64) -> Double { Double(t) * 8 + Double(task * 1000 + series) / 4 }

    /// The torture binary beside the test runner (`swift build --build-tests` builds both into one folder).
    static func tortureBinary() -> URL? {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("HearthWALTorture")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Runs the child until it printed `acks` acknowledgements (or exited), then SIGKILLs it.
    /// - Returns: the complete output lines.
    static func runAndKill(_ binary: URL, directory: String, base: Int64, acks: Int) throws -> (lines: [String], signaled: Bool) {
        let p = Process()
        p.executableURL = binary
        p.arguments = [directory, String(base), String(tasks), String(seriesPerTask)]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let reader = pipe.fileHandleForReading
        var output = Data()
        var ackCount = 0
        while ackCount < acks {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            output.append(chunk)
            ackCount = String(decoding: output, as: UTF8.self).components(separatedBy: "ACK ").count - 1
        }
        kill(p.processIdentifier, SIGKILL)
        output.append(reader.readDataToEndOfFile())
        p.waitUntilExit()
        // Only newline-terminated lines were completely written before the kill.
        var text = String(decoding: output, as: UTF8.self)
        if let lastNewline = text.lastIndex(of: "\n") { text = String(text[...lastNewline]) } else { text = "" }
        let lines = text.split(separator: "\n").map(String.init)
        return (lines, p.terminationReason == .uncaughtSignal)
    }

    @Test func everyAcknowledgedSampleSurvivesKill9() async throws {
        let binary = try #require(Self.tortureBinary(), "build HearthWALTorture first (swift build --build-tests)")
        let dir = ScratchDirectory("hearth-kill")
        var acked: [(task: Int, t: Int64)] = []
        var checked = 0
        var blocks = 0
        var roundsRun = 0
        var rng = SystemRandomNumberGenerator()
        for round in 0..<Self.rounds {
            let acks = Int.random(in: 1...400, using: &rng)
            let (lines, signaled) = try Self.runAndKill(binary, directory: dir.path, base: Int64(round) * 600_000, acks: acks)
            #expect(signaled, "round \(round): child exited by itself: \(lines.suffix(3))")
            for line in lines {
                let parts = line.split(separator: " ")
                if parts.first == "ACK", parts.count == 3, let task = Int(parts[1]), let t = Int64(parts[2]) {
                    acked.append((task, t))
                } else if line != "READY" {
                    Issue.record("round \(round): unexpected child output: \(line)")
                }
            }
            var options = DBOptions(blockRange: .seconds(3600))
            options.wal = WALOptions(segmentSize: 128 * 1024, syncPolicy: .always)
            let db = try DB(directory: dir.path, options: options)
            let stored = try await collect(db.querier(mint: .min, maxt: .max), [.equal("__name__", "torture")])
            var byLabels: [Labels: [Int64: Double]] = [:]
            for (l, samples) in stored { byLabels[l] = Dictionary(samples.map { ($0.t.ms, $0.v) }, uniquingKeysWith: { a, _ in a }) }
            var missing: [String] = []
            for (task, t) in acked {
                for s in 0..<Self.seriesPerTask {
                    let l: Labels = ["__name__": "torture", "task": "\(task)", "s": "\(s)"]
                    if byLabels[l]?[t] != Self.value(task: task, series: s, t: t) { missing.append("\(l)@\(t)") }
                    checked += 1
                }
            }
            #expect(missing.isEmpty, "round \(round) (killed after \(acks) acks): \(missing.count) acknowledged samples missing, e.g. \(missing.prefix(3))")
            blocks = db.blocks.count
            roundsRun += 1
            try db.close()
            if !missing.isEmpty { break }
        }
        print("kill -9 test: \(roundsRun) rounds, \(acked.count) acknowledged commits, \(checked) sample checks, \(blocks) blocks")
        // Rounds start 10 minutes apart, so the head spans more than 1.5 × 1h and compaction ran.
        #expect(blocks > 0)
        #expect(acked.count >= Self.rounds)
    }
}
