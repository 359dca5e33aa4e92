import TSDB

/// A WAL record read by ``WALTailReader``: its payload and the offset just past it.
struct TailRecord {
    var payload: [UInt8]
    var end: Int
}

/// Reads whole records of one WAL segment that may still be growing.
///
/// Decoding starts at a record boundary. A fragment cut off by the end of the file is not an
/// error while the segment is live: reading stops before its record, to be retried once more bytes
/// arrive. The same in a closed segment, or bad bytes before the end, is corruption.
enum WALTailReader {
    /// Why a segment could not be read past `offset`.
    struct Corruption: Error {
        var offset: Int
        var reason: String
    }

    /// Result of one read: complete records and where the next read starts.
    struct Result {
        var records: [TailRecord]
        var next: Int
        /// True when bytes past `next` exist but do not form a complete record yet.
        var incomplete: Bool
    }

    /// Decodes complete records from `bytes`, which hold the segment from page-aligned `base` on.
    static func decode(_ bytes: [UInt8], base: Int, from offset: Int, live: Bool) throws(Corruption) -> Result {
        var records: [TailRecord] = []
        var record: [UInt8] = []
        var at = offset - base
        var recordStart = at
        var inRecord = false
        func stop() -> Result { Result(records: records, next: base + recordStart, incomplete: true) }
        while true {
            if !inRecord { recordStart = at }
            switch WALSegmentReader.step(bytes, at: at) {
            case .success(.end):
                if inRecord && !live { throw Corruption(offset: base + at, reason: "segment ends inside a record") }
                return Result(records: records, next: base + recordStart, incomplete: inRecord)
            case .success(.skipTo(let next)):
                if inRecord && next - at >= WALFormat.headerSize {
                    throw Corruption(offset: base + at, reason: "page terminator inside a record")
                }
                at = next
            case .failure(let reason):
                // A header or fragment cut by the end of what was written so far.
                if live && reason.text.hasPrefix("truncated") {
                    return stop()
                }
                throw Corruption(offset: base + at, reason: reason.text)
            case .success(.fragment(let f)):
                if WALSegmentReader.checksum(bytes, f) != f.crc {
                    // A fragment that ends exactly at the end of the file may still be being written.
                    if live && f.dataStart + f.length == bytes.count { return stop() }
                    throw Corruption(offset: base + at, reason: "crc mismatch")
                }
                switch f.type {
                case WALFormat.full, WALFormat.first:
                    if inRecord { throw Corruption(offset: base + at, reason: "record starts inside another") }
                    inRecord = true
                    record.removeAll(keepingCapacity: true)
                default:
                    if !inRecord {
                        throw Corruption(offset: base + at, reason: "continuation without a first fragment")
                    }
                }
                record.append(contentsOf: bytes[f.dataStart..<f.dataStart + f.length])
                at = f.dataStart + f.length
                if f.type == WALFormat.full || f.type == WALFormat.last {
                    records.append(TailRecord(payload: record, end: base + at))
                    inRecord = false
                }
            }
        }
    }

    /// Reads segment file `path` from record boundary `offset`, loading at most about `maxBytes`
    /// (more when a single record is larger). Blocking: call from a thread pool.
    /// - Returns: nil when the file does not exist.
    static func read(path: String, from offset: Int, maxBytes: Int, live: Bool) throws -> Result? {
        let base = offset / WALFormat.pageSize * WALFormat.pageSize
        var limit = max(maxBytes, WALFormat.pageSize)
        while true {
            guard let bytes = try PosixFile.read(path, from: base, limit: limit) else { return nil }
            let capped = bytes.count == limit
            do {
                let r = try decode(bytes, base: base, from: offset, live: live || capped)
                if capped && r.records.isEmpty {
                    limit *= 2
                    continue
                }
                return r
            } catch {
                throw RemoteClientError(
                    .corruption, "cannot read WAL segment \(path) at offset \(error.offset): \(error.reason)")
            }
        }
    }
}
