import Foundation
import Testing

/// Runs the built `hearth` binary as a user would.
@Suite struct CLITests {
    /// The `hearth` executable beside the test runner (`swift build` puts both in one folder;
    /// deploy/test.sh builds it before `swift test`), or `HEARTH_BINARY` when set.
    static func hearthBinary() -> URL {
        if let path = ProcessInfo.processInfo.environment["HEARTH_BINARY"] { return URL(fileURLWithPath: path) }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        return runner.deletingLastPathComponent().appendingPathComponent("hearth")
    }

    static func run(_ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = hearthBinary()
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func versionAndHelp() throws {
        let v = try Self.run(["--version"])
        #expect(v.status == 0)
        #expect(v.output.contains("0."))
        let h = try Self.run(["--help"])
        #expect(h.status == 0)
        #expect(h.output.contains("USAGE: hearth"))
    }
}
