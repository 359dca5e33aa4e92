import ArgumentParser
import Rules

/// `hearth check`: offline checks of configuration files, like `promtool check`.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check configuration files without starting anything.",
        subcommands: [CheckRulesCommand.self])
}

/// `hearth check rules FILE...`: what `promtool check rules` checks, with the same exit codes.
struct CheckRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Check Prometheus rule files: syntax, expressions, names, templates.")

    @Argument(help: "Rule files to check.")
    var files: [String]

    func run() async throws {
        var failed = false
        for path in files {
            do {
                let file = try RuleFileLoader.load(path: path)
                let rules = file.groups.reduce(0) { $0 + $1.rules.count }
                print("Checking \(path)\n  SUCCESS: \(rules) rules found")
            } catch {
                failed = true
                print("Checking \(path)\n  FAILED:\n\(error)")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
