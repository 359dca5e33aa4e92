import Foundation
import Glibc
import PromModel
import PromQL
import Rules
import StorageAPI
import TSDB
import Yams

/// A fresh directory under the system temp dir, removed on deinit.
final class ScratchDirectory {
    let path: String

    init(_ name: String = "hearth-rules") {
        let base = FileManager.default.temporaryDirectory.path + "/\(name)-XXXXXX"
        var template = Array(base.utf8CString)
        path = template.withUnsafeMutableBufferPointer { buffer -> String in
            guard let made = mkdtemp(buffer.baseAddress!) else { preconditionFailure("mkdtemp failed") }
            return String(cString: made)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Decodes rule-file YAML the way `hearth server`'s RuleFileLoader does (that one lives in the CLI).
func decodeRuleFile(_ yaml: String, source: String) throws -> RuleFile {
    if yaml.allSatisfy({ $0.isWhitespace }) { return RuleFile(groups: []) }
    let file: RuleFile
    do { file = try YAMLDecoder().decode(RuleFile.self, from: yaml) } catch {
        throw RulesError.decoding(error, source: source)
    }
    try file.validate(source: source)
    return file
}

/// The fixture directory `Fixtures/rules`.
func fixturesDirectory() -> URL {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/rules")
}

/// A TSDB in a temp dir plus helpers to write and read series.
final class TestStorage {
    let dir = ScratchDirectory()
    let db: DB

    init() throws { db = try DB(directory: dir.path) }

    deinit { try? db.close() }

    func append(_ samples: [(Labels, Int64, Double)]) async throws {
        var app = db.appender()
        for (l, t, v) in samples { _ = try app.append(ref: nil, labels: l, t: Timestamp(ms: t), v: v) }
        try await app.commit()
    }

    /// All samples of series whose name is `name`, by labels.
    func samples(_ name: String) async throws -> [Labels: [Sample]] {
        let q = try await db.querier(mint: .min, maxt: .max)
        defer { q.close() }
        var set = try await q.select(sorted: true, hints: nil, matchers: [.equal(LabelName.metricName, name)])
        var out: [Labels: [Sample]] = [:]
        while let s = try set.next() {
            var it = s.makeIterator()
            var samples: [Sample] = []
            while try it.next() { samples.append(it.at()) }
            out[s.labels] = samples
        }
        return out
    }
}

/// Collects alerts handed to it, instead of sending them.
final class RecordingSender: AlertSender, @unchecked Sendable {
    // Guarded by `lock`; the class is shared between the test and the group's actor.
    private let lock = NSLock()
    private var _batches: [[OutgoingAlert]] = []

    func send(_ alerts: [OutgoingAlert]) { lock.withLock { _batches.append(alerts) } }

    var batches: [[OutgoingAlert]] { lock.withLock { _batches } }
}

/// Runs the real Prometheus tools; tests skip when a binary is absent.
enum ExternalTool {
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `tool` to completion (killed after `timeoutSeconds`); returns the exit status and output.
    static func run(_ tool: String, _ arguments: [String], timeoutSeconds: Double = 60) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-rules-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// Wraps a group spec into a one-group file.
func group(_ name: String = "g", interval: String? = "1m", limit: Int = 0, _ rules: [RuleSpec]) -> RuleGroupSpec {
    RuleGroupSpec(name: name, interval: interval, limit: limit, rules: rules)
}

/// A group named "g" with a 1m interval.
func group(_ rules: [RuleSpec]) -> RuleGroupSpec { group("g", rules) }
