public import PromModel

/// Writes a block's `index` file, format version 2. See <doc:BlockFormat>.
///
/// Use in three steps: ``addSymbols(_:)`` once with every label name and value, then
/// ``addSeries(_:chunks:)`` for each series in ascending label order, then ``close()``, which writes
/// the postings, offset tables and TOC and fsyncs. Not thread-safe.
public final class IndexWriter {
    let file: FileWriter
    var buffer = EncodingBuffer(capacity: 4096)
    var toc = IndexTOC()
    var symbols: [String] = []
    var symbolIndex: [String: UInt32] = [:]
    /// Series references per label pair, keyed `nameSymbol << 32 | valueSymbol`.
    var postings: [UInt64: [UInt32]] = [:]
    var allPostings: [UInt32] = []
    var lastSeries: [UInt32]?

    /// Creates the index file at `path` and writes its header.
    public init(path: String) throws(TSDBError) {
        file = try FileWriter(path: path)
        buffer.putBE32(IndexFormat.magic)
        buffer.putByte(IndexFormat.version)
        try flushBuffer()
    }

    /// Writes the symbol table: every label name and value the series will use.
    ///
    /// - Parameter symbols: any order, duplicates allowed; sorted by UTF-8 bytes here.
    public func addSymbols(_ symbols: some Sequence<String>) throws(TSDBError) {
        guard self.symbols.isEmpty, toc.symbols == 0 else {
            throw TSDBError(.invalidArgument, "\(file.path): symbols were already written")
        }
        // Prometheus always has "" in its symbol table (from the all-postings key); so do we, which
        // makes our index byte-identical to theirs for the same series and chunks.
        var set = Set(symbols)
        set.insert("")
        let sorted = Array(set).sorted(by: utf8Less)
        guard sorted.count <= Int(UInt32.max) else {
            throw TSDBError(.outOfBounds, "\(file.path): \(sorted.count) symbols exceed the format's 2^32")
        }
        toc.symbols = UInt64(file.offset)
        buffer.putBE32(0)
        buffer.putBE32(UInt32(sorted.count))
        for (i, s) in sorted.enumerated() {
            buffer.putUvarintString(s)
            symbolIndex[s] = UInt32(i)
        }
        try finishSection(lengthAt: 0)
        self.symbols = sorted
    }

    /// Adds one series. Calls must come in strictly ascending label order (by UTF-8 bytes).
    ///
    /// - Parameters:
    ///   - labels: the series' labels; every name and value must have been passed to ``addSymbols(_:)``.
    ///   - chunks: the series' chunks, sorted by time and not overlapping.
    /// - Returns: the series reference (its offset / 16).
    /// - Throws: ``TSDBError`` `outOfOrder` for unsorted series or chunks, `invalidArgument` for a
    ///   label missing from the symbols.
    @discardableResult
    public func addSeries(_ labels: Labels, chunks: [ChunkMeta]) throws(TSDBError) -> UInt32 {
        var refs: [UInt32] = []
        refs.reserveCapacity(labels.count * 2)
        for l in labels {
            guard let n = symbolIndex[l.name], let v = symbolIndex[l.value] else {
                throw TSDBError(.invalidArgument, "\(file.path): label \(l) of series \(labels) is not in the symbol table")
            }
            refs.append(n)
            refs.append(v)
        }
        if let last = lastSeries, !last.lexicographicallyPrecedes(refs) {
            throw TSDBError(.outOfOrder, "\(file.path): series \(labels) is not after the previous series")
        }
        try checkChunks(chunks, labels)
        // Like Prometheus, the TOC points at the end of the symbols, before the first padding.
        if toc.series == 0 { toc.series = UInt64(file.offset) }
        try file.pad(to: IndexFormat.seriesAlignment)
        let offset = file.offset / IndexFormat.seriesAlignment
        guard offset <= Int(UInt32.max) else {
            throw TSDBError(.outOfBounds, "\(file.path): series \(labels) at offset \(file.offset) exceeds 64 GiB")
        }
        let ref = UInt32(offset)
        encodeSeries(refs, chunks)
        try flushBuffer()
        for i in stride(from: 0, to: refs.count, by: 2) {
            postings[UInt64(refs[i]) << 32 | UInt64(refs[i + 1]), default: []].append(ref)
        }
        allPostings.append(ref)
        lastSeries = refs
        return ref
    }

    /// Writes the postings, the offset tables and the TOC, then fsyncs and closes the file.
    public func close() throws(TSDBError) {
        if toc.symbols == 0 { try addSymbols([]) }
        // Section order as Prometheus writes it, so the same series give the same file.
        let pairs = sortedPairs()
        let labelIndices = try writeLabelIndices(pairs)
        let postingsOffsets = try writePostings(pairs)
        try writeLabelOffsetTable(labelIndices)
        try writePostingsOffsetTable(pairs, postingsOffsets)
        buffer.reset()
        toc.encode(into: &buffer)
        try flushBuffer()
        try file.close()
    }

    private func checkChunks(_ chunks: [ChunkMeta], _ labels: Labels) throws(TSDBError) {
        var prevMax: Timestamp?
        for c in chunks {
            guard c.minTime <= c.maxTime, prevMax.map({ $0 < c.minTime }) ?? true else {
                throw TSDBError(.outOfOrder, "\(file.path): chunks of series \(labels) overlap or are unsorted at \(c.ref)")
            }
            prevMax = c.maxTime
        }
    }

    private func encodeSeries(_ refs: [UInt32], _ chunks: [ChunkMeta]) {
        buffer.reset()
        var body = EncodingBuffer(capacity: 16 + refs.count * 2 + chunks.count * 8)
        body.putUvarint(UInt64(refs.count / 2))
        for r in refs { body.putUvarint(UInt64(r)) }
        body.putUvarint(UInt64(chunks.count))
        var prevMax: Int64 = 0
        var prevRef: UInt64 = 0
        for (i, c) in chunks.enumerated() {
            if i == 0 {
                body.putVarint(c.minTime.ms)
                body.putUvarint(UInt64(bitPattern: c.maxTime.ms &- c.minTime.ms))
                body.putUvarint(c.ref.rawValue)
            } else {
                body.putUvarint(UInt64(bitPattern: c.minTime.ms &- prevMax))
                body.putUvarint(UInt64(bitPattern: c.maxTime.ms &- c.minTime.ms))
                body.putVarint(Int64(bitPattern: c.ref.rawValue &- prevRef))
            }
            prevMax = c.maxTime.ms
            prevRef = c.ref.rawValue
        }
        buffer.putUvarint(UInt64(body.count))
        let start = buffer.count
        buffer.putBytes(body.bytes)
        buffer.putCRC(from: start)
    }

    // MARK: Helpers shared with IndexWriter+Postings

    func flushBuffer() throws(TSDBError) {
        try file.write(buffer.bytes)
        buffer.reset()
    }

    /// Ends a `len <4b> … CRC` section built in `buffer`, whose length field is at `lengthAt`.
    ///
    /// Sections are built whole in memory: even the postings offset table of a million-series
    /// block is tens of megabytes, and patching lengths in place would need a seekable writer.
    func finishSection(lengthAt: Int) throws(TSDBError) {
        buffer.patchBE32(UInt32(buffer.count - lengthAt - 4), at: lengthAt)
        buffer.putCRC(from: lengthAt + 4)
        try flushBuffer()
    }
}
