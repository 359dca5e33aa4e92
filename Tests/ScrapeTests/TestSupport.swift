import Foundation
import PromModel
import StorageAPI
import Synchronization
import Yams

@testable import Scrape

/// Decodes a prometheus.yml text the way the CLI does: Yams, then validation.
func decodeConfig(_ text: String) throws(ConfigError) -> PrometheusConfiguration {
    try PrometheusConfiguration.load { try YAMLDecoder().decode(PrometheusConfiguration.self, from: text) }
}

/// The directory of a test resource folder.
func fixtureURL(_ path: String) throws -> URL {
    guard let base = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        throw ConfigError(path: "", "Fixtures missing from the test bundle")
    }
    return base.appendingPathComponent(path)
}

/// The repository root, found from this source file's location.
func repositoryRoot(_ file: String = #filePath) -> URL {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-scrape-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs an executable found on PATH; nil when it is not installed.
func runTool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String)? {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let path else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// An in-memory Appendable recording every committed sample in order.
final class MemoryAppendable: Appendable, Sendable {
    struct Point: Equatable, CustomStringConvertible {
        var labels: Labels
        var sample: Sample
        var description: String { "\(labels) \(sample)" }
    }

    let committed = Mutex<[Point]>([])

    func appender() -> any Appender { MemoryAppender(owner: self) }

    var points: [Point] { committed.withLock { $0 } }

    /// Samples of one series, in append order.
    func samples(_ labels: Labels) -> [Sample] { points.filter { $0.labels == labels }.map(\.sample) }

    /// Samples of every series with this metric name at `t`.
    func at(_ t: Int64) -> [Labels: Double] {
        var out: [Labels: Double] = [:]
        for p in points where p.sample.t.ms == t { out[p.labels] = p.sample.v }
        return out
    }
}

struct MemoryAppender: Appender {
    let owner: MemoryAppendable
    var pending: [MemoryAppendable.Point] = []

    mutating func append(ref: SeriesRef?, labels: Labels, t: Timestamp, v: Double) throws(AppendError) -> SeriesRef {
        pending.append(.init(labels: labels, sample: Sample(t: t, v: v)))
        return SeriesRef(labels.stableHash)
    }

    mutating func commit() async throws {
        let batch = pending
        owner.committed.withLock { $0 += batch }
        pending = []
    }

    mutating func rollback() { pending = [] }
}
