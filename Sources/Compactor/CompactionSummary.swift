/// What one compactor pass did; printed by `hearth compact --once`.
public struct CompactionSummary: Sendable, Equatable, CustomStringConvertible {
    /// Blocks written by merging others, and how many source blocks went into them.
    public var blocksCompacted = 0
    public var sourceBlocksCompacted = 0
    /// Downsampled blocks written.
    public var blocksDownsampled = 0
    /// Deletion marks written (retention, compacted sources, superseded blocks).
    public var markedForDeletion = 0
    /// No-compact marks written because a job failed.
    public var markedNoCompact = 0
    /// Blocks deleted after their delay, and abandoned partial uploads removed.
    public var blocksDeleted = 0
    public var partialUploadsRemoved = 0
    /// Bytes of the blocks not marked for deletion, before and after the pass.
    public var bytesBefore = 0
    public var bytesAfter = 0
    /// Jobs that failed (their blocks were marked no-compact), with the error.
    public var failures: [String] = []
    /// Problems that did not fail a job: unreadable meta.json, blocks already marked no-compact.
    public var warnings: [String] = []
    /// Jobs planned in a dry run.
    public var plannedJobs: [String] = []

    /// An empty summary.
    public init() {}

    /// Whether any job failed.
    public var failed: Bool { !failures.isEmpty }

    public var description: String {
        var lines = [
            "blocks compacted: \(blocksCompacted) (from \(sourceBlocksCompacted) source blocks)",
            "blocks downsampled: \(blocksDownsampled)",
            "blocks marked for deletion: \(markedForDeletion)",
            "blocks marked no-compact: \(markedNoCompact)",
            "blocks deleted: \(blocksDeleted) (partial uploads removed: \(partialUploadsRemoved))",
            "bytes before: \(bytesBefore), after: \(bytesAfter)",
        ]
        lines += plannedJobs.map { "planned: \($0)" }
        lines += warnings.map { "warning: \($0)" }
        lines += failures.map { "FAILED: \($0)" }
        return lines.joined(separator: "\n")
    }
}
