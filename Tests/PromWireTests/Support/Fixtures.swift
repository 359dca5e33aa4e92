import Foundation
import Testing

/// Access to the golden files in Fixtures/ (written by proto/make-wire-fixtures.py) and to the repository.
enum Fixtures {
    static let directory: URL = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// One manifest entry: fixture name, message type, expected canonical tree.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let message: String
        var testDescription: String { name }
    }

    /// The manifest's cases: (name, message type, expected tree).
    static let entries: [(name: String, message: String, expected: WireTree)] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        let json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (json["cases"] as! [[String: Any]]).map {
            ($0["name"] as! String, $0["message"] as! String, WireTree(json: $0["expected"]!))
        }
    }()

    static func expected(_ name: String) -> WireTree { entries.first { $0.name == name }!.expected }

    static func cases(message: String) -> [Case] {
        entries.filter { $0.message == message }.map { Case(name: $0.name, message: $0.message) }
    }

    /// The repository root, from this file's location (Tests/PromWireTests/Support/).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a command; returns exit status and combined output.
    static func run(_ executable: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [executable] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Whether python3 can import the modules proto/make-wire-fixtures.py needs.
    static let pythonReady: Bool = (try? run("python3", ["-c", "import google.protobuf, cramjam"]))?.status == 0

    /// Whether `command` is on PATH.
    static func has(_ command: String) -> Bool {
        (try? run("sh", ["-c", "command -v \(command)"]))?.status == 0
    }
}
