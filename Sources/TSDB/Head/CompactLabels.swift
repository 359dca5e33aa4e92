import PromModel

/// A series' labels in one allocation: per label a uvarint-length name then a uvarint-length value.
///
/// A `Labels` value costs an array plus up to two heap strings per label; this costs one byte array
/// of roughly the label text. Equality with incoming `Labels` compares bytes without decoding.
struct CompactLabels: Sendable, Hashable {
    let bytes: [UInt8]

    init(_ labels: Labels) {
        var size = 0
        for l in labels { size += l.name.utf8.count + l.value.utf8.count + 4 }
        var e = ByteEncoder(capacity: size)
        for l in labels {
            e.putUvarintString(l.name)
            e.putUvarintString(l.value)
        }
        // Exact capacity: the encoder may have reserved a little more than it used.
        bytes = Array(unsafeUninitializedCapacity: e.bytes.count) { buf, n in
            n = buf.initialize(from: e.bytes).1
        }
    }

    /// Number of labels, counted by skipping over the strings.
    var count: Int {
        bytes.withUnsafeBytes { raw in
            var d = ByteDecoder(raw)
            var n = 0
            while !d.isAtEnd {
                guard let a = d.uvarint(), d.remaining >= Int(a) else { break }
                d.offset += Int(a)
                guard let b = d.uvarint(), d.remaining >= Int(b) else { break }
                d.offset += Int(b)
                n += 1
            }
            return n
        }
    }

    /// A WAL series record for `series`, copying the stored bytes (the same uvarint-string layout)
    /// instead of decoding labels.
    static func seriesRecord(_ series: [MemSeries]) -> [UInt8] {
        var e = ByteEncoder(capacity: 1 + series.reduce(0) { $0 + 12 + $1.labels.bytes.count })
        e.putByte(WALRecordType.series.rawValue)
        for s in series {
            e.putBE64(s.ref)
            e.putUvarint(UInt64(s.labels.count))
            e.bytes.append(contentsOf: s.labels.bytes)
        }
        return e.bytes
    }

    /// The labels as a `Labels` value (allocates).
    func decode() -> Labels {
        bytes.withUnsafeBytes { raw in
            var d = ByteDecoder(raw)
            var out: [Label] = []
            while !d.isAtEnd, let n = d.uvarintString(), let v = d.uvarintString() { out.append(Label(name: n, value: v)) }
            return Labels(sortedUnchecked: out)
        }
    }

    /// Whether these are exactly `labels`, compared byte-wise without allocating.
    func equals(_ labels: Labels) -> Bool {
        bytes.withUnsafeBytes { raw in
            var d = ByteDecoder(raw)
            for l in labels {
                guard Self.consume(&d, l.name), Self.consume(&d, l.value) else { return false }
            }
            return d.isAtEnd
        }
    }

    private static func consume(_ d: inout ByteDecoder, _ s: String) -> Bool {
        var s = s
        return s.withUTF8 { utf8 in
            guard let n = d.uvarint(), n == UInt64(utf8.count), d.remaining >= utf8.count else { return false }
            let start = d.offset
            for i in 0..<utf8.count where d.bytes[start + i] != utf8[i] { return false }
            d.offset += utf8.count
            return true
        }
    }
}
