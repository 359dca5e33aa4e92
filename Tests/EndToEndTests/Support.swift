import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A child process whose output goes to a log file; terminated by PID when the test ends.
final class ChildProcess {
    let process = Process()
    let logPath: String

    init(_ executable: String, _ arguments: [String], logPath: String) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// Sends SIGTERM and waits up to `seconds` for the exit; returns the exit status (nil on timeout).
    @discardableResult
    func terminate(waitingUpTo seconds: Double = 60) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// Paths and ports for one end-to-end test.
enum E2E {
    static func executable(_ name: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/usr/sbin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    static func hearth() -> String { CLITests.hearthBinary().path }

    /// A TCP port free right now on 127.0.0.1 (the kernel picks it).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func temporaryDirectory(_ tag: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-e2e-\(tag)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct HTTPResult {
        var status: Int
        var body: Data
        var headers: [String: String]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static func request(_ url: String, method: String = "GET", body: Data? = nil, headers: [String: String] = [:]) async throws -> HTTPResult {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        r.httpBody = body
        r.timeoutInterval = 30
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: r)
        let http = response as! HTTPURLResponse
        var h: [String: String] = [:]
        for (k, v) in http.allHeaderFields { h["\(k)".lowercased()] = "\(v)" }
        return HTTPResult(status: http.statusCode, body: data, headers: h)
    }

    /// Polls `url` until it answers 200 or `seconds` pass.
    static func waitUntilUp(_ url: String, seconds: Double = 60) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let r = try? await request(url), r.status == 200 { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Runs a PromQL instant query against a Prometheus-compatible API; returns the `data.result` array.
    static func query(_ base: String, _ promql: String, time: Int) async throws -> [[String: Any]] {
        let q = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let r = try await request("\(base)/api/v1/query?query=\(q)&time=\(time)")
        let json = try JSONSerialization.jsonObject(with: r.body) as? [String: Any]
        guard let data = json?["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            Issue.record("bad query answer for \(promql): \(r.text)")
            return []
        }
        return result
    }

    /// `metric labels → value` of a vector result, for comparing two servers' answers.
    static func vector(_ result: [[String: Any]]) -> [String: String] {
        var out: [String: String] = [:]
        for item in result {
            let metric = (item["metric"] as? [String: String]) ?? [:]
            let key = metric.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            out[key] = ((item["value"] as? [Any])?.last as? String) ?? "?"
        }
        return out
    }
}
