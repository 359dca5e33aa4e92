import Foundation
import Testing

/// `hearth check rules` through the built binary: the CLI's YAML rule-file loader.
@Suite struct CheckRulesCommandTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-rules-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func acceptsAValidFile() throws {
        let path = try write("groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLITests.run(["check", "rules", path])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("SUCCESS: 1 rules found"))
    }

    @Test func namesUnknownFieldsAndRulesInErrors() throws {
        let unknown = try write("groups:\n  - name: g\n    rules:\n      - record: x\n        exprr: up\n")
        let invalid = try write("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up ==\n")
        defer {
            try? FileManager.default.removeItem(atPath: unknown)
            try? FileManager.default.removeItem(atPath: invalid)
        }
        let r = try CLITests.run(["check", "rules", unknown, invalid])
        #expect(r.status == 1)
        #expect(r.output.contains("\(unknown): unknown field \"groups[0].rules[0].exprr\""), "\(r.output)")
        #expect(r.output.contains("\(invalid): group \"g\", rule 1 (alert \"A\"): could not parse expression"), "\(r.output)")
    }
}
