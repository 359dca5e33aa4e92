import TSDB

/// Keeps WAL segments the remote writer has not finished alive past the TSDB's own truncation.
///
/// The TSDB deletes segments after a checkpoint without asking remote writers. Each segment at or
/// after the acknowledged position gets a hard link in `<stateDirectory>/segments`, so the file
/// survives until the writer releases it: the WAL itself stays the buffer, and an outage loses
/// nothing while the linked-only segments fit in `budgetBytes`. Past the budget the oldest linked
/// segments are removed (and their samples counted as lost by the caller). Blocking: use a thread pool.
struct SegmentRetention: Sendable {
    let walDirectory: String
    let linkDirectory: String
    let budgetBytes: Int

    init(walDirectory: String, stateDirectory: String, budgetBytes: Int) {
        self.walDirectory = walDirectory
        self.linkDirectory = stateDirectory + "/segments"
        self.budgetBytes = budgetBytes
    }

    private static func indices(_ dir: String) -> [Int] {
        PosixFile.list(dir).compactMap { $0.count == 8 ? Int($0) : nil }
    }

    /// Segment indices readable from the WAL or from links, ascending.
    func segments() -> [Int] {
        Array(Set(Self.indices(walDirectory)).union(Self.indices(linkDirectory))).sorted()
    }

    /// Where to read segment `index`, nil when it is gone.
    func path(_ index: Int) -> String? {
        let name = WALFormat.segmentName(index)
        for dir in [walDirectory, linkDirectory] where PosixFile.exists(dir + "/" + name) { return dir + "/" + name }
        return nil
    }

    /// Links segments ≥ `first`, removes links below it and trims linked-only segments to the budget.
    /// - Returns: indices of segments removed for the budget.
    @discardableResult
    func update(keepingFrom first: Int) throws -> [Int] {
        try PosixFile.makeDirectories(linkDirectory)
        let live = Set(Self.indices(walDirectory))
        for s in live where s >= first {
            let name = WALFormat.segmentName(s)
            _ = try PosixFile.hardLink(walDirectory + "/" + name, linkDirectory + "/" + name)
        }
        var linkedOnly: [(Int, Int)] = []
        for s in Self.indices(linkDirectory) {
            let path = linkDirectory + "/" + WALFormat.segmentName(s)
            if s < first {
                PosixFile.remove(path)
            } else if !live.contains(s) {
                linkedOnly.append((s, PosixFile.size(path) ?? 0))
            }
        }
        var total = linkedOnly.reduce(0) { $0 + $1.1 }
        var removed: [Int] = []
        for (s, size) in linkedOnly where total > budgetBytes {
            PosixFile.remove(linkDirectory + "/" + WALFormat.segmentName(s))
            total -= size
            removed.append(s)
        }
        return removed
    }
}
