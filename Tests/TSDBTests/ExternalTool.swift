import Foundation
import Glibc

/// Runs the real Prometheus binaries for compatibility tests; they skip when a binary is absent.
enum ExternalTool {
    /// The absolute path of `name` on `PATH`, or nil.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `tool` to completion, killing it after `timeoutSeconds`.
    static func run(_ tool: String, _ arguments: [String], timeoutSeconds: Double = 60) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-out-\(UUID().uuidString)")
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        // Files instead of pipes: a chatty tool cannot block on a full pipe buffer.
        p.standardOutput = try FileHandle(forWritingTo: outFile)
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        p.waitUntilExit()
        return Output(
            status: p.terminationStatus,
            stdout: (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() -> UInt16 {
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
        return UInt16(bigEndian: addr.sin_port)
    }
}

/// Parses `promtool tsdb dump` lines: `{a="1", b="2"} value timestamp`.
enum DumpParser {
    struct Line: Hashable {
        var labels: String
        var t: Int64
        var bits: UInt64
    }

    static func parse(_ text: String) -> [Line] {
        text.split(separator: "\n").compactMap { line in
            guard let close = line.lastIndex(of: "}") else { return nil }
            let rest = line[line.index(after: close)...].split(separator: " ")
            guard rest.count == 2, let t = Int64(rest[1]), let v = value(rest[0]) else { return nil }
            return Line(labels: String(line[...close]), t: t, bits: v.bitPattern)
        }
    }

    private static func value(_ s: Substring) -> Double? {
        switch s {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(s)
        }
    }

    /// Go's `labels.Labels.String()` form for plain ASCII values.
    static func format(_ labels: [(String, String)]) -> String {
        "{" + labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ", ") + "}"
    }
}
