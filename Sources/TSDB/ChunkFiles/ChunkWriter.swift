public import StorageAPI

/// Appends chunks to the segment files of a block's `chunks/` directory. See <doc:BlockFormat>.
///
/// Not thread-safe. Chunks are written in the order given; call ``close()`` to flush and fsync.
public final class ChunkWriter {
    private let directory: String
    private let maxSegmentSize: Int
    private var file: FileWriter?
    private var sequence = -1
    private var record = EncodingBuffer(capacity: 512)

    /// - Parameters:
    ///   - directory: an existing, empty directory (a block's `chunks/`).
    ///   - maxSegmentSize: the size at which to start a new segment; Prometheus uses 512 MiB.
    public init(directory: String, maxSegmentSize: Int = 512 * 1024 * 1024) {
        self.directory = directory
        self.maxSegmentSize = max(maxSegmentSize, ChunkSegment.headerSize + 16)
    }

    /// Appends one chunk and returns its reference.
    /// - Throws: ``TSDBError`` with code `io`, or `outOfBounds` for a chunk larger than 4 GiB.
    public func write(_ chunk: EncodedChunk) throws(TSDBError) -> ChunkRef {
        try write(encoding: chunk.encoding.rawValue, data: chunk.bytes)
    }

    /// Appends one chunk given as its encoding byte and data.
    package func write(encoding: UInt8, data: [UInt8]) throws(TSDBError) -> ChunkRef {
        record.reset()
        record.putUvarint(UInt64(data.count))
        let crcStart = record.count
        record.putByte(encoding)
        record.putBytes(data)
        record.putCRC(from: crcStart)
        let size = record.count
        if file == nil || file!.offset + size > maxSegmentSize { try cut() }
        guard let f = file, f.offset <= Int(UInt32.max) else {
            throw TSDBError(.outOfBounds, "chunk of \(size) bytes does not fit a segment in \(directory)")
        }
        let ref = ChunkRef(segment: UInt32(sequence), offset: UInt32(f.offset))
        try f.write(record.bytes)
        return ref
    }

    /// Flushes, fsyncs and closes the current segment.
    public func close() throws(TSDBError) {
        try file?.close()
        file = nil
    }

    /// Number of segment files written.
    public var segmentCount: Int { sequence + 1 }

    private func cut() throws(TSDBError) {
        try file?.close()
        sequence += 1
        let f = try FileWriter(path: directory + "/" + ChunkSegment.fileName(sequence))
        var header = EncodingBuffer(capacity: ChunkSegment.headerSize)
        header.putBE32(ChunkSegment.magic)
        header.putByte(ChunkSegment.version)
        header.putBytes([0, 0, 0])
        try f.write(header.bytes)
        file = f
    }
}
