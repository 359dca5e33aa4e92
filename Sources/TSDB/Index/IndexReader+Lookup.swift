package import PromModel

/// Label values, postings lists and series entries.
extension IndexReader {
    /// Sorted values of label `labelName` (empty if the name is unknown).
    package func labelValues(_ labelName: String) throws(TSDBError) -> [String] {
        guard let entries = postingsEntries[labelName] else { return [] }
        var out: [String] = []
        out.reserveCapacity(entries.count)
        for at in entries {
            var d = DecodingBuffer(file.bytes, file: name)
            d.position = at
            out.append(try d.uvarintString("label value"))
        }
        return out
    }

    /// Series references with `labelName=value`, ascending (empty when the pair is absent).
    package func postings(_ labelName: String, _ value: String) throws(TSDBError) -> [UInt32] {
        guard let entries = postingsEntries[labelName] else { return [] }
        let want = Array(value.utf8)
        var lo = 0
        var hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if try valueBytes(at: entries[mid]).lexicographicallyPrecedes(want) { lo = mid + 1 } else { hi = mid }
        }
        guard lo < entries.count, try valueBytes(at: entries[lo]).elementsEqual(want) else { return [] }
        return try postingsList(valueEntryAt: entries[lo])
    }

    private func valueBytes(at offset: Int) throws(TSDBError) -> UnsafeRawBufferPointer {
        var d = DecodingBuffer(file.bytes, file: name)
        d.position = offset
        return try d.uvarintBytes("label value")
    }

    /// The union of the postings of every value of `labelName` accepted by `accept`, ascending.
    package func postings(_ labelName: String, where accept: (String) -> Bool) throws(TSDBError) -> [UInt32] {
        guard let entries = postingsEntries[labelName] else { return [] }
        var lists: [[UInt32]] = []
        for at in entries {
            var d = DecodingBuffer(file.bytes, file: name)
            d.position = at
            if accept(try d.uvarintString("label value")) { lists.append(try postingsList(valueEntryAt: at)) }
        }
        return Postings.union(lists)
    }

    /// Every series reference in the index, ascending.
    package func allPostings() throws(TSDBError) -> [UInt32] {
        guard let offset = allPostingsOffset else { return [] }
        return try postingsList(at: offset)
    }

    private func postingsList(valueEntryAt at: Int) throws(TSDBError) -> [UInt32] {
        var d = DecodingBuffer(file.bytes, file: name)
        d.position = at
        _ = try d.uvarintBytes("label value")
        let offset = try d.uvarint("postings offset")
        return try postingsList(at: Int(offset))
    }

    /// The postings list at `offset`, checksum verified and checked to be strictly ascending.
    func postingsList(at offset: Int) throws(TSDBError) -> [UInt32] {
        var d = try Self.section(file.bytes, at: UInt64(offset), file: name, what: "postings list")
        let count = Int(try d.be32("postings count"))
        guard count * 4 == d.remaining else {
            throw d.corruption("postings count \(count) does not match the list size \(d.remaining)")
        }
        var out = [UInt32](repeating: 0, count: count)
        var prev: UInt32?
        for i in 0..<count {
            let r = DecodingBuffer.be32(d.bytes, at: 4 + i * 4)
            if let p = prev, r <= p { throw d.corruption("postings not ascending (\(r) after \(p))", at: offset) }
            out[i] = r
            prev = r
        }
        return out
    }

    /// The labels and chunk metadata of series `ref`.
    /// - Throws: ``TSDBError`` `corruption` naming the file and the entry's offset.
    package func series(_ ref: UInt32) throws(TSDBError) -> (labels: Labels, chunks: [ChunkMeta]) {
        let offset = Int(ref) * IndexFormat.seriesAlignment
        var d = DecodingBuffer(file.bytes, file: name)
        guard offset >= IndexFormat.headerSize, offset < file.bytes.count else {
            throw d.corruption("series reference \(ref) points outside the file", at: offset)
        }
        d.position = offset
        let length = try d.uvarintInt("series length", limit: d.remaining)
        let bodyStart = d.position
        let body = try d.slice(length, "series entry")
        let want = try d.be32("series checksum")
        let got = CRC32C.checksum(body)
        guard got == want else {
            throw d.corruption("series checksum mismatch (got 0x\(String(got, radix: 16)), want 0x\(String(want, radix: 16)))", at: offset)
        }
        var b = DecodingBuffer(body, file: name, base: bodyStart)
        let labelCount = try b.uvarintInt("label count", limit: b.remaining / 2)
        var labels: [Label] = []
        labels.reserveCapacity(labelCount)
        for _ in 0..<labelCount {
            let n = try symbol(try b.uvarint("label name reference"))
            let v = try symbol(try b.uvarint("label value reference"))
            if let last = labels.last, !utf8Less(last.name, n) {
                throw b.corruption("labels of series \(ref) not sorted (\(n) after \(last.name))")
            }
            labels.append(Label(name: n, value: v))
        }
        let chunkCount = try b.uvarintInt("chunk count", limit: b.remaining / 3)
        var chunks: [ChunkMeta] = []
        chunks.reserveCapacity(chunkCount)
        var prevMax: Int64 = 0
        var prevRef: UInt64 = 0
        for i in 0..<chunkCount {
            let mint: Int64
            let ref: UInt64
            if i == 0 {
                mint = try b.varint("chunk minTime")
                let span = try b.uvarint("chunk span")
                ref = try b.uvarint("chunk reference")
                prevMax = mint &+ Int64(bitPattern: span)
            } else {
                mint = prevMax &+ Int64(bitPattern: try b.uvarint("chunk minTime delta"))
                prevMax = mint &+ Int64(bitPattern: try b.uvarint("chunk span"))
                ref = prevRef &+ UInt64(bitPattern: try b.varint("chunk reference delta"))
            }
            prevRef = ref
            chunks.append(ChunkMeta(ref: ChunkRef(rawValue: ref), minTime: Timestamp(ms: mint), maxTime: Timestamp(ms: prevMax)))
        }
        return (Labels(sortedUnchecked: labels), chunks)
    }
}
