import PromModel
/// Where and why a WAL segment stopped decoding.
struct WALCorruption: Error {
    var segment: Int
    /// Offset of the first byte of the record that could not be read.
    var recordOffset: Int
    /// Offset of the fragment where decoding failed (≥ `recordOffset`).
    var offset: Int
    var reason: String

    func error(directory: String) -> TSDBError {
        TSDBError(.corruption, "cannot read WAL segment \(WALFormat.segmentName(segment)) in \(directory) "
            + "at offset \(offset): \(reason)")
    }
}

/// Iterates the records of one segment held in memory, reassembling fragments.
package struct WALSegmentReader {
    let bytes: [UInt8]
    let segment: Int
    private(set) var offset = 0

    init(bytes: [UInt8], segment: Int) {
        self.bytes = bytes
        self.segment = segment
    }

    /// One fragment header as read from disk, before the checksum is verified.
    package struct Fragment {
        package var type: UInt8
        /// Snappy flag of the fragment's type byte.
        package var snappy: Bool
        package var length: Int
        package var dataStart: Int
        package var crc: UInt32
    }

    package enum Step {
        case fragment(Fragment)
        case skipTo(Int)
        case end
    }

    /// Classifies what starts at `at`; throws a reason string for malformed headers.
    package static func step(_ bytes: [UInt8], at: Int) -> Result<Step, WALCorruptionReason> {
        let ps = WALFormat.pageSize, h = WALFormat.headerSize
        if at >= bytes.count { return .success(.end) }
        let pageEnd = (at / ps + 1) * ps
        if pageEnd - at < h { return .success(.skipTo(pageEnd)) }
        let type = bytes[at]
        if type == WALFormat.pageTerm {
            let end = min(pageEnd, bytes.count)
            if bytes[at..<end].contains(where: { $0 != 0 }) {
                return .failure(.init("non-zero bytes after page terminator"))
            }
            return .success(.skipTo(pageEnd))
        }
        if at + h > bytes.count { return .failure(.init("truncated fragment header")) }
        if type & WALFormat.zstdFlag != 0 {
            return .failure(.init("zstd-compressed record (type byte 0x\(String(type, radix: 16))) is not supported"))
        }
        let base = type & WALFormat.typeMask
        guard (WALFormat.full...WALFormat.last).contains(base) && type & ~(WALFormat.typeMask | WALFormat.compressionMask) == 0 else {
            return .failure(.init("invalid fragment type \(type)"))
        }
        let length = Int(bytes[at + 1]) << 8 | Int(bytes[at + 2])
        if at + h + length > pageEnd { return .failure(.init("fragment of \(length) bytes crosses the page end")) }
        if at + h + length > bytes.count { return .failure(.init("truncated fragment of \(length) bytes")) }
        let crc = UInt32(bytes[at + 3]) << 24 | UInt32(bytes[at + 4]) << 16 | UInt32(bytes[at + 5]) << 8 | UInt32(bytes[at + 6])
        return .success(.fragment(Fragment(type: base, snappy: type & WALFormat.snappyFlag != 0, length: length, dataStart: at + h, crc: crc)))
    }

    package static func checksum(_ bytes: [UInt8], _ f: Fragment) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[f.dataStart..<f.dataStart + f.length])) }
    }

    /// The next record's payload and its offset, nil at the end of the segment.
    mutating func next() throws(WALCorruption) -> (record: [UInt8], offset: Int)? {
        var record: [UInt8] = []
        var inRecord = false
        var snappy = false
        var recordStart = offset
        while true {
            let at = offset
            let seg = segment, start = inRecord ? recordStart : at
            let fail = { (reason: String) in WALCorruption(segment: seg, recordOffset: start, offset: at, reason: reason) }
            switch Self.step(bytes, at: at) {
            case .failure(let r): throw fail(r.text)
            case .success(.end):
                if inRecord { throw fail("segment ends inside a record") }
                return nil
            case .success(.skipTo(let next)):
                if inRecord && next - at >= WALFormat.headerSize { throw fail("page terminator inside a record") }
                offset = next
            case .success(.fragment(let f)):
                let got = Self.checksum(bytes, f)
                if got != f.crc {
                    throw fail("crc mismatch (got 0x\(String(got, radix: 16)), want 0x\(String(f.crc, radix: 16)))")
                }
                switch f.type {
                case WALFormat.full, WALFormat.first:
                    if inRecord { throw fail("new record starts before the previous one ended") }
                    recordStart = at
                    inRecord = true
                    snappy = f.snappy
                default:
                    if !inRecord { throw fail("continuation fragment without a first fragment") }
                }
                record.append(contentsOf: bytes[f.dataStart..<f.dataStart + f.length])
                offset = f.dataStart + f.length
                if f.type == WALFormat.full || f.type == WALFormat.last {
                    guard snappy else { return (record, recordStart) }
                    let start = recordStart
                    guard let plain = record.withUnsafeBytes({ SnappyBlock.decode($0) }) else {
                        throw WALCorruption(segment: segment, recordOffset: start, offset: start, reason: "invalid snappy data in record")
                    }
                    return (plain, start)
                }
            }
        }
    }

    /// Whether a valid record starts anywhere after a failure at `failedAt`: right after the failed
    /// fragment (when its header was sane) or at any later page start. A torn write leaves nothing
    /// valid behind it; a flipped bit in the middle of the log does.
    static func hasValidRecordAfter(_ bytes: [UInt8], failedAt: Int) -> Bool {
        var candidates: [Int] = []
        if case .success(.fragment(let f)) = step(bytes, at: failedAt) { candidates.append(f.dataStart + f.length) }
        var p = (failedAt / WALFormat.pageSize + 1) * WALFormat.pageSize
        while p < bytes.count {
            candidates.append(p)
            p += WALFormat.pageSize
        }
        for c in candidates {
            guard case .success(.fragment(let f)) = step(bytes, at: c) else { continue }
            if (f.type == WALFormat.full || f.type == WALFormat.first) && checksum(bytes, f) == f.crc { return true }
        }
        return false
    }
}

/// A human-readable reason a fragment is malformed.
package struct WALCorruptionReason: Error {
    package var text: String
    init(_ text: String) { self.text = text }
}
