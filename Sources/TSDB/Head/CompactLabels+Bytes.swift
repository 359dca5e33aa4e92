public import StorageAPI
import Glibc

extension CompactLabels {
    /// Whether these labels are exactly `labels`, compared byte for byte without decoding.
    func equals(_ labels: [LabelBytes]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            for l in labels {
                guard Self.consume(raw, &offset, l.name), Self.consume(raw, &offset, l.value) else { return false }
            }
            return offset == raw.count
        }
    }

    private static func consume(_ raw: UnsafeRawBufferPointer, _ offset: inout Int, _ s: UnsafeRawBufferPointer) -> Bool {
        var length: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < raw.count, shift < 64 else { return false }
            let b = raw[offset]
            offset += 1
            length |= UInt64(b & 0x7f) << shift
            if b < 0x80 { break }
            shift += 7
        }
        guard length == UInt64(s.count), raw.count - offset >= s.count else { return false }
        if s.count > 0 && memcmp(raw.baseAddress! + offset, s.baseAddress!, s.count) != 0 { return false }
        offset += s.count
        return true
    }
}

extension Head: RawSeriesLookup {
    public func existingSeriesRef(hash: UInt64, labels: [LabelBytes]) -> SeriesRef? {
        series.get(hash: hash) { $0.equals(labels) }.map { SeriesRef($0.ref) }
    }
}

extension DB: RawSeriesLookup {
    public func existingSeriesRef(hash: UInt64, labels: [LabelBytes]) -> SeriesRef? {
        head.existingSeriesRef(hash: hash, labels: labels)
    }
}
