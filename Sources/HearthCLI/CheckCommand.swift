import ArgumentParser
import Foundation
import Rules
import Scrape

/// `hearth check`: offline checks of configuration files, like `promtool check`.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check configuration files without starting anything.",
        subcommands: [CheckConfigCommand.self, CheckRulesCommand.self])
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

/// `hearth check config FILE...`: what `hearth server` checks at start and on reload (every field,
/// scrape TLS files, relabel regexes, remote endpoints, and the rule files it names), without starting
/// anything; exit code 1 when a file fails, like `promtool check config`.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check prometheus.yml files and the rule files they name.")

    @Argument(help: "Configuration files to check.")
    var files: [String]

    func run() async throws {
        var failed = false
        for path in files {
            print("Checking \(path)")
            do {
                let config = try PrometheusConfigFile.load(path: path)
                try ScrapeManager.checkSupported(config)
                for (i, rw) in config.remoteWrite.enumerated() {
                    _ = try RemoteStorageConfiguration.write(rw, path: "\(path): remote_write[\(i)]")
                    _ = try RemoteStorageConfiguration.relabel(rw)
                }
                for (i, rr) in config.remoteRead.enumerated() {
                    _ = try RemoteStorageConfiguration.read(rr, path: "\(path): remote_read[\(i)]")
                }
                print("  SUCCESS: \(path) is valid prometheus config file syntax")
                let directory = (path as NSString).deletingLastPathComponent
                let ruleFiles = try RuleFileLoader.load(
                    patterns: config.ruleFiles, relativeTo: directory.isEmpty ? "." : directory)
                for (file, rules) in ruleFiles {
                    print("  SUCCESS: \(file): \(rules.groups.reduce(0) { $0 + $1.rules.count }) rules found")
                }
            } catch {
                failed = true
                print("  FAILED: \(error)")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
