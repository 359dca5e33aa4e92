import PromModel
import PromWire
import StorageAPI
import TSDB

/// A remotely read series; chunks are decoded one at a time as the iterator reaches them.
struct RemoteReadSeries: Series {
    let remote: RemoteSeries
    let mint: Timestamp
    let maxt: Timestamp

    var labels: Labels { remote.labels }

    func makeIterator() -> any SampleIterator {
        RemoteSampleIterator(samples: remote.samples, chunks: remote.chunks, mint: mint, maxt: maxt)
    }
}

/// Iterates plain samples and then XOR chunks, keeping only samples in `[mint, maxt]`.
struct RemoteSampleIterator: SampleIterator {
    private let chunks: [Chunk]
    private let mint: Timestamp
    private let maxt: Timestamp
    private var nextChunk = 0
    private var buffer: [Sample]
    private var index = -1
    private var lastT: Timestamp?

    init(samples: [Sample], chunks: [Chunk], mint: Timestamp, maxt: Timestamp) {
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
        self.buffer = samples.filter { $0.t >= mint && $0.t <= maxt }
    }

    mutating func next() throws -> Bool {
        while true {
            index += 1
            if index < buffer.count {
                // Overlapping chunks may repeat a timestamp; keep order strictly increasing.
                if let lastT, buffer[index].t <= lastT { continue }
                lastT = buffer[index].t
                return true
            }
            guard try loadChunk() else {
                index = buffer.count
                return false
            }
        }
    }

    mutating func seek(_ t: Timestamp) throws -> Bool {
        if index >= 0 && index < buffer.count && buffer[index].t >= t { return true }
        while try next() {
            if buffer[index].t >= t { return true }
        }
        return false
    }

    func at() -> Sample { buffer[index] }

    /// Decodes the next chunk that overlaps the range; false when none is left.
    private mutating func loadChunk() throws -> Bool {
        while nextChunk < chunks.count {
            let chunk = chunks[nextChunk]
            nextChunk += 1
            guard chunk.maxTimeMs >= mint.ms && chunk.minTimeMs <= maxt.ms else { continue }
            guard chunk.type == .xor else {
                throw RemoteClientError(.decoding, "remote read chunk encoding \(chunk.type.rawValue) is not supported")
            }
            buffer = try XORChunkDecoder.decodeAll(chunk.data).filter { $0.t >= mint && $0.t <= maxt }
            index = -1
            if !buffer.isEmpty { return true }
        }
        return false
    }
}
