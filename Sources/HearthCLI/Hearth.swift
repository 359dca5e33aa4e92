import ArgumentParser

/// The `hearth` command: one executable, one subcommand per role.
@main
struct Hearth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth",
        abstract: "Prometheus-compatible long-term storage: scrape, receive remote write, compact.",
        version: HearthVersion.current,
        subcommands: [ReceiveCommand.self, CompactCommand.self]
    )
}

/// The version printed by `hearth --version`.
enum HearthVersion {
    static let current = "0.1.0-dev"
}
