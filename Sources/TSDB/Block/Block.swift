public import PromModel

/// A persistent block opened for reading: memory-mapped index and chunks, tombstones and meta.
///
/// Thread-safe and immutable. Series, iterators and chunk bytes obtained from it keep it alive.
/// Conforms to ``Queryable`` and ``ChunkQueryable`` (see `Block+Querier.swift`).
public final class Block: Sendable {
    /// The block's `meta.json`.
    public let meta: BlockMeta
    /// The block directory as given to ``open(directory:)``.
    public let directory: String
    /// Deleted intervals per series reference.
    public let tombstones: Tombstones
    let index: IndexReader
    let chunks: ChunkReader
    /// Short name for messages: the directory's last component.
    let displayName: String

    private init(meta: BlockMeta, directory: String, tombstones: Tombstones, index: IndexReader, chunks: ChunkReader, displayName: String) {
        self.meta = meta
        self.directory = directory
        self.tombstones = tombstones
        self.index = index
        self.chunks = chunks
        self.displayName = displayName
    }

    /// Opens and validates the block in `directory`.
    ///
    /// Checks `meta.json`, the index header, TOC, symbol table and postings offset table (with
    /// checksums), the chunk segment headers and the tombstones file. Series entries, postings
    /// lists and chunks are checksummed when read. Blocking: call it off the cooperative pool for
    /// large blocks.
    /// - Throws: ``TSDBError`` `corruption` naming the file and offset, or `io`.
    public static func open(directory: String) throws(TSDBError) -> Block {
        let name = directory.split(separator: "/").last.map(String.init) ?? directory
        let meta = try BlockMeta.read(directory: directory, displayName: name)
        let index = try IndexReader(path: directory + "/index", displayName: name + "/index")
        let chunks = try ChunkReader(directory: directory + "/chunks", displayName: name + "/chunks")
        let tombstones = try Tombstones.read(directory: directory, displayName: name)
        return Block(meta: meta, directory: directory, tombstones: tombstones, index: index, chunks: chunks, displayName: name)
    }

    /// The block's ULID.
    public var ulid: ULID { meta.ulid }
    /// First millisecond covered, inclusive.
    public var minTime: Timestamp { Timestamp(ms: meta.minTime) }
    /// End of the covered range, exclusive.
    public var maxTime: Timestamp { Timestamp(ms: meta.maxTime) }

    /// Bytes on disk of the index and of the chunk segments.
    public var sizes: (index: Int, chunks: Int) { (index.size, chunks.totalBytes) }

    /// Every series in label order with its chunks' metadata: for tools and verification.
    public func allSeries() throws(TSDBError) -> [(ref: UInt32, labels: Labels, chunks: [ChunkMeta])] {
        try index.allPostings().map { (ref) throws(TSDBError) in
            let s = try index.series(ref)
            return (ref, s.labels, s.chunks)
        }
    }

    /// Every series reference, in label order; with ``series(ref:)``, lets a compactor read one
    /// series at a time instead of holding all chunk metadata.
    package func seriesRefs() throws(TSDBError) -> [UInt32] { try index.allPostings() }

    /// Labels and chunk metadata of the series at `ref`.
    package func series(ref: UInt32) throws(TSDBError) -> (labels: Labels, chunks: [ChunkMeta]) {
        let s = try index.series(ref)
        return (s.labels, s.chunks)
    }

    /// The stored bytes of the chunk at `ref`, checksum verified.
    /// - Throws: ``TSDBError`` `corruption` naming the segment file and offset.
    public func chunkBytes(_ ref: ChunkRef) throws(TSDBError) -> (encoding: UInt8, bytes: [UInt8]) {
        let c = try chunks.chunk(ref)
        return (c.encoding, Array(c.data))
    }

    /// Reads every series and chunk and decodes every sample, checking all checksums.
    /// - Returns: the number of samples.
    /// - Throws: the first ``TSDBError`` found.
    public func verify() throws -> Int {
        var samples = 0
        for s in try allSeries() {
            for c in s.chunks {
                let chunk = try chunks.chunk(c.ref)
                guard chunk.encoding == 1 else { continue }
                var d = try XORChunkDecoder(chunk.data)
                while try d.next() != nil { samples += 1 }
            }
        }
        return samples
    }
}
