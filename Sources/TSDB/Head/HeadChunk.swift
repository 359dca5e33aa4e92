import PromModel
import StorageAPI

/// A closed (full) XOR chunk of a head series: its bytes on the heap, trimmed to size, or in a
/// memory-mapped spill file of the ``HeadChunkStore``.
struct HeadChunk: Sendable {
    var minT: Int64
    var maxT: Int64
    private var heap: [UInt8]
    private var mapped: MappedChunkFile?
    private var offset: UInt32 = 0
    private var length: UInt32 = 0

    init(_ chunk: XORChunk, store: HeadChunkStore?) {
        minT = chunk.minTime.ms
        maxT = chunk.maxTime.ms
        let src = chunk.bytes
        if let store, let (file, at) = store.store(src) {
            heap = []
            mapped = file
            offset = UInt32(at)
            length = UInt32(src.count)
        } else {
            heap = Array(unsafeUninitializedCapacity: src.count) { buf, n in n = buf.initialize(from: src).1 }
        }
    }

    init(minT: Int64, maxT: Int64, bytes: [UInt8]) {
        self.minT = minT
        self.maxT = maxT
        self.heap = bytes
    }

    /// The chunk bytes (a copy when mapped).
    var bytes: [UInt8] {
        guard let mapped else { return heap }
        return mapped.bytes(offset: Int(offset), count: Int(length))
    }

    var encoded: EncodedChunk {
        EncodedChunk(minTime: Timestamp(ms: minT), maxTime: Timestamp(ms: maxT), encoding: .xor, bytes: bytes)
    }

    func overlaps(_ mint: Int64, _ maxt: Int64) -> Bool { minT <= maxt && maxT >= mint }
}

/// Merges two timestamp-sorted sample lists; on equal timestamps the sample from `a` wins.
func mergeSamples(_ a: [Sample], _ b: [Sample]) -> [Sample] {
    if b.isEmpty { return a }
    if a.isEmpty { return b }
    var out: [Sample] = []
    out.reserveCapacity(a.count + b.count)
    var i = 0, j = 0
    while i < a.count || j < b.count {
        if j == b.count || (i < a.count && a[i].t <= b[j].t) {
            if j < b.count && a[i].t == b[j].t { j += 1 }
            out.append(a[i])
            i += 1
        } else {
            out.append(b[j])
            j += 1
        }
    }
    return out
}

/// Encodes sorted samples into XOR chunks of at most `perChunk` samples.
func encodeChunks(_ samples: [Sample], perChunk: Int = 120) -> [EncodedChunk] {
    var out: [EncodedChunk] = []
    var i = 0
    while i < samples.count {
        var c = XORChunk()
        let end = min(i + perChunk, samples.count)
        for s in samples[i..<end] { c.append(t: s.t, v: s.v) }
        out.append(EncodedChunk(minTime: c.minTime, maxTime: c.maxTime, encoding: .xor, bytes: c.bytes))
        i = end
    }
    return out
}
