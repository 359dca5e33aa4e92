public import PromModel

/// The first byte of a WAL record payload, with Prometheus' numbering (`tsdb/record`).
public struct WALRecordType: RawRepresentable, Hashable, Sendable {
    /// The type byte.
    public var rawValue: UInt8
    /// Wraps a type byte, known or not.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Series definitions: reference and labels.
    public static let series = WALRecordType(rawValue: 1)
    /// Float samples.
    public static let samples = WALRecordType(rawValue: 2)
    /// Deleted time ranges of series.
    public static let tombstones = WALRecordType(rawValue: 3)
    /// Exemplars; reserved, not written yet.
    public static let exemplars = WALRecordType(rawValue: 4)
    /// Head-chunk memory-map markers; reserved.
    public static let mmapMarkers = WALRecordType(rawValue: 5)
    /// Metric metadata; reserved.
    public static let metadata = WALRecordType(rawValue: 6)
    /// Native histogram samples; reserved.
    public static let histogramSamples = WALRecordType(rawValue: 7)
    /// Float native histogram samples; reserved.
    public static let floatHistogramSamples = WALRecordType(rawValue: 8)
}

/// A series definition in the WAL.
public struct RefSeries: Sendable, Equatable {
    /// The series reference (the head's ``SeriesRef`` value).
    public var ref: UInt64
    public var labels: Labels
    /// A series definition.
    public init(ref: UInt64, labels: Labels) {
        self.ref = ref
        self.labels = labels
    }
}

/// A float sample of a series in the WAL.
public struct RefSample: Sendable, Equatable {
    /// The series reference.
    public var ref: UInt64
    /// Milliseconds since the epoch.
    public var t: Int64
    public var v: Double
    /// A sample of series `ref`.
    public init(ref: UInt64, t: Int64, v: Double) {
        self.ref = ref
        self.t = t
        self.v = v
    }
    /// Bitwise comparison of the value, so NaNs and stale markers compare equal to themselves.
    public static func == (a: RefSample, b: RefSample) -> Bool {
        a.ref == b.ref && a.t == b.t && a.v.bitPattern == b.v.bitPattern
    }
}

/// A deleted interval `[mint, maxt]` of a series.
public struct RefTombstone: Sendable, Equatable {
    /// The series reference.
    public var ref: UInt64
    /// Deleted range, inclusive at both ends, in ms.
    public var mint: Int64
    public var maxt: Int64
    /// A deletion of `[mint, maxt]` from series `ref`.
    public init(ref: UInt64, mint: Int64, maxt: Int64) {
        self.ref = ref
        self.mint = mint
        self.maxt = maxt
    }
}

/// A decoded WAL record.
public enum WALRecord: Sendable, Equatable {
    case series([RefSeries])
    case samples([RefSample])
    case tombstones([RefTombstone])
    /// A type this version does not decode (histograms, exemplars, ...); replay skips it.
    case unknown(WALRecordType)
}

/// Encodes and decodes record payloads in Prometheus' layouts (`tsdb/docs/format/wal.md`).
///
/// Samples: type byte, base reference and base timestamp as big-endian 64-bit, then per sample a
/// signed varint reference delta, a signed varint timestamp delta and the value's 8 bytes big-endian.
public enum WALRecordCodec {
    /// The payload of a series record.
    public static func encode(series: [RefSeries]) -> [UInt8] {
        var e = ByteEncoder(capacity: 1 + series.count * 96)
        e.putByte(WALRecordType.series.rawValue)
        for s in series {
            e.putBE64(s.ref)
            e.putUvarint(UInt64(s.labels.count))
            for l in s.labels {
                e.putUvarintString(l.name)
                e.putUvarintString(l.value)
            }
        }
        return e.bytes
    }

    /// The payload of a samples record; empty input gives an empty payload (nothing to log).
    public static func encode(samples: [RefSample]) -> [UInt8] {
        guard let first = samples.first else { return [] }
        var e = ByteEncoder(capacity: 17 + samples.count * 12)
        e.putByte(WALRecordType.samples.rawValue)
        e.putBE64(first.ref)
        e.putBE64(UInt64(bitPattern: first.t))
        for s in samples {
            e.putVarint(Int64(bitPattern: s.ref &- first.ref))
            e.putVarint(s.t &- first.t)
            e.putBE64(s.v.bitPattern)
        }
        return e.bytes
    }

    /// The payload of a tombstones record.
    public static func encode(tombstones: [RefTombstone]) -> [UInt8] {
        var e = ByteEncoder(capacity: 1 + tombstones.count * 16)
        e.putByte(WALRecordType.tombstones.rawValue)
        for t in tombstones {
            e.putBE64(t.ref)
            e.putVarint(t.mint)
            e.putVarint(t.maxt)
        }
        return e.bytes
    }

    /// Decodes one record payload.
    /// - Throws: ``TSDBError`` `.corruption` when the payload is malformed.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> WALRecord {
        var d = ByteDecoder(bytes)
        guard let type = d.byte().map(WALRecordType.init(rawValue:)) else {
            throw TSDBError(.corruption, "empty WAL record")
        }
        switch type {
        case .series: return .series(try decodeSeries(&d))
        case .samples: return .samples(try decodeSamples(&d))
        case .tombstones: return .tombstones(try decodeTombstones(&d))
        default: return .unknown(type)
        }
    }

    /// Decodes one record payload held in an array.
    public static func decode(_ bytes: [UInt8]) throws -> WALRecord {
        try bytes.withUnsafeBytes { raw in try decode(raw) }
    }

    private static func malformed(_ what: String, _ d: ByteDecoder) -> TSDBError {
        TSDBError(.corruption, "malformed WAL \(what) record at byte \(d.offset) of \(d.bytes.count)")
    }

    private static func decodeSeries(_ d: inout ByteDecoder) throws -> [RefSeries] {
        var out: [RefSeries] = []
        while !d.isAtEnd {
            guard let ref = d.be64(), let n = d.uvarint(), n <= UInt64(d.remaining) else { throw malformed("series", d) }
            var labels: [Label] = []
            labels.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let name = d.uvarintString(), let value = d.uvarintString() else { throw malformed("series", d) }
                labels.append(Label(name: name, value: value))
            }
            // Writers log labels sorted; only re-sort (and drop empty values) when they are not.
            let clean = labels.allSatisfy { !$0.value.isEmpty } && zip(labels, labels.dropFirst()).allSatisfy { $0.name < $1.name }
            out.append(RefSeries(ref: ref, labels: clean ? Labels(sortedUnchecked: labels) : Labels(labels)))
        }
        return out
    }

    private static func decodeSamples(_ d: inout ByteDecoder) throws -> [RefSample] {
        guard !d.isAtEnd else { return [] }
        guard let baseRef = d.be64(), let baseT = d.be64() else { throw malformed("samples", d) }
        var out: [RefSample] = []
        out.reserveCapacity(d.remaining / 10)
        while !d.isAtEnd {
            guard let dr = d.varint(), let dt = d.varint(), let v = d.be64() else { throw malformed("samples", d) }
            out.append(RefSample(ref: baseRef &+ UInt64(bitPattern: dr), t: Int64(bitPattern: baseT) &+ dt,
                                 v: Double(bitPattern: v)))
        }
        return out
    }

    private static func decodeTombstones(_ d: inout ByteDecoder) throws -> [RefTombstone] {
        var out: [RefTombstone] = []
        while !d.isAtEnd {
            guard let ref = d.be64(), let mint = d.varint(), let maxt = d.varint() else { throw malformed("tombstones", d) }
            out.append(RefTombstone(ref: ref, mint: mint, maxt: maxt))
        }
        return out
    }
}
