/// The sections after the series: legacy label indices, postings and the two offset tables.
extension IndexWriter {
    /// Label pairs in the order of the postings offset table. Symbols are numbered in byte order,
    /// so sorting the packed `name << 32 | value` keys sorts by name, then value.
    func sortedPairs() -> [UInt64] { postings.keys.sorted() }

    /// Writes one label index per name (legacy, still written by Prometheus 2).
    /// - Returns: each name's symbol and label index offset, for ``writeLabelOffsetTable(_:)``.
    func writeLabelIndices(_ pairs: [UInt64]) throws(TSDBError) -> [(name: UInt32, offset: Int)] {
        var names: [(name: UInt32, offset: Int)] = []
        toc.labelIndices = UInt64(file.offset)
        var i = 0
        while i < pairs.count {
            let name = UInt32(pairs[i] >> 32)
            var j = i
            while j < pairs.count && UInt32(pairs[j] >> 32) == name { j += 1 }
            try file.pad(to: 4)
            names.append((name, file.offset))
            buffer.reset()
            buffer.putBE32(0)
            buffer.putBE32(1)
            buffer.putBE32(UInt32(j - i))
            for k in i..<j { buffer.putBE32(UInt32(truncatingIfNeeded: pairs[k])) }
            try finishSection(lengthAt: 0)
            i = j
        }
        return names
    }

    /// Writes the legacy label offset table. Prometheus puts it after the postings lists, and so do we.
    func writeLabelOffsetTable(_ names: [(name: UInt32, offset: Int)]) throws(TSDBError) {
        try file.pad(to: 4)
        toc.labelIndicesTable = UInt64(file.offset)
        buffer.reset()
        buffer.putBE32(0)
        buffer.putBE32(UInt32(names.count))
        for (name, offset) in names {
            buffer.putByte(1)
            buffer.putUvarintString(symbols[Int(name)])
            buffer.putUvarint(UInt64(offset))
        }
        try finishSection(lengthAt: 0)
    }

    /// Writes every postings list, the all-series list first.
    /// - Returns: the list offsets in postings offset table order, for ``writePostingsOffsetTable(_:_:)``.
    func writePostings(_ pairs: [UInt64]) throws(TSDBError) -> [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(postings.count + 1)
        try file.pad(to: 4)
        toc.postings = UInt64(file.offset)
        try writePostingsList(allPostings, offsets: &offsets)
        for key in pairs { try writePostingsList(postings[key]!, offsets: &offsets) }
        return offsets
    }

    /// Writes the postings offset table: the `""=""` key first, then every pair in order.
    func writePostingsOffsetTable(_ pairs: [UInt64], _ offsets: [Int]) throws(TSDBError) {

        toc.postingsTable = UInt64(file.offset)
        buffer.reset()
        buffer.putBE32(0)
        buffer.putBE32(UInt32(offsets.count))
        // The ""="" key of the all-series list sorts before every real pair.
        buffer.putByte(2)
        buffer.putUvarintString("")
        buffer.putUvarintString("")
        buffer.putUvarint(UInt64(offsets[0]))
        for (n, key) in pairs.enumerated() {
            buffer.putByte(2)
            buffer.putUvarintString(symbols[Int(key >> 32)])
            buffer.putUvarintString(symbols[Int(key & 0xffff_ffff)])
            buffer.putUvarint(UInt64(offsets[n + 1]))
        }
        try finishSection(lengthAt: 0)
    }

    private func writePostingsList(_ refs: [UInt32], offsets: inout [Int]) throws(TSDBError) {
        // 4-byte alignment as Prometheus does, so a reader may scan the list as UInt32 words.
        try file.pad(to: 4)
        offsets.append(file.offset)
        buffer.reset()
        buffer.putBE32(0)
        buffer.putBE32(UInt32(refs.count))
        for r in refs { buffer.putBE32(r) }
        try finishSection(lengthAt: 0)
    }
}
