import Foundation
import PromModel
import Testing

@testable import TSDB

/// The index file on its own: ordering rules, references and lookups.
@Suite struct IndexWriterTests {
    static func chunk(_ i: Int) -> [ChunkMeta] {
        [ChunkMeta(ref: ChunkRef(segment: 0, offset: UInt32(8 + i * 10)), minTime: Timestamp(ms: Int64(i)), maxTime: Timestamp(ms: Int64(i) + 5))]
    }

    @Test func symbolsAndSeriesFollowUTF8ByteOrder() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        // "Z" < "a" < "z" < "é" < "日" in UTF-8 bytes.
        let values = ["é", "a", "日", "Z", "z"]
        let w = try IndexWriter(path: dir.path + "/index")
        try w.addSymbols(["k"] + values)
        let sorted = values.sorted(by: utf8Less)
        #expect(sorted == ["Z", "a", "z", "é", "日"])
        var refs: [UInt32] = []
        for (i, v) in sorted.enumerated() { refs.append(try w.addSeries(["k": v], chunks: Self.chunk(i))) }
        try w.close()

        let r = try IndexReader(path: dir.path + "/index", displayName: "index")
        #expect(r.symbolCount == 7)
        #expect(try (0..<7).map { try r.symbol(UInt64($0)) } == ["", "Z", "a", "k", "z", "é", "日"])
        #expect(try r.labelValues("k") == sorted)
        #expect(try r.allPostings() == refs)
        #expect(zip(refs, refs.dropFirst()).allSatisfy { $0 < $1 })
        for (i, v) in sorted.enumerated() {
            #expect(try r.postings("k", v) == [refs[i]])
            let s = try r.series(refs[i])
            #expect(s.labels == ["k": v])
            #expect(s.chunks == Self.chunk(i))
        }
    }

    @Test func rejectsUnsortedSeriesAndUnknownSymbols() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let w = try IndexWriter(path: dir.path + "/index")
        try w.addSymbols(["a", "b", "k", "z"])
        try w.addSeries(["k": "b"], chunks: [])
        #expect(throws: TSDBError(.outOfOrder, "")) { try w.addSeries(["k": "a"], chunks: []) }
        #expect(throws: TSDBError(.outOfOrder, "")) { try w.addSeries(["k": "b"], chunks: []) }
        #expect(throws: TSDBError(.invalidArgument, "")) { try w.addSeries(["k": "zzz"], chunks: []) }
        let overlapping = Self.chunk(0) + Self.chunk(3)
        #expect(throws: TSDBError(.outOfOrder, "")) { try w.addSeries(["k": "b", "z": "a"], chunks: overlapping) }
    }

    @Test func manyValuesAreFoundByBinarySearch() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let values = (0..<2000).map { "v\($0)" }
        let w = try IndexWriter(path: dir.path + "/index")
        try w.addSymbols(["__name__", "m", "id"] + values)
        var refs: [String: UInt32] = [:]
        for v in values.sorted(by: utf8Less) { refs[v] = try w.addSeries(["__name__": "m", "id": v], chunks: Self.chunk(1)) }
        try w.close()
        let r = try IndexReader(path: dir.path + "/index", displayName: "index")
        #expect(r.labelNames == ["__name__", "id"])
        for v in values { #expect(try r.postings("id", v) == [refs[v]!]) }
        #expect(try r.postings("id", "v2000") == [])
        #expect(try r.postings("id", "") == [])
        #expect(try r.postings("__name__", "m").count == 2000)
        // Chunk metadata survives the delta encoding with many chunks and large times.
        #expect(try r.series(refs["v7"]!).chunks == Self.chunk(1))
    }

    @Test func chunkMetaDeltasRoundTripAtExtremes() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let chunks = [
            ChunkMeta(ref: ChunkRef(segment: 3, offset: 900), minTime: Timestamp(ms: -5_000_000_000_000), maxTime: Timestamp(ms: -1)),
            ChunkMeta(ref: ChunkRef(segment: 0, offset: 8), minTime: Timestamp(ms: 0), maxTime: Timestamp(ms: 0)),
            ChunkMeta(ref: ChunkRef(segment: 9, offset: .max), minTime: Timestamp(ms: 1), maxTime: Timestamp(ms: Int64.max)),
        ]
        let w = try IndexWriter(path: dir.path + "/index")
        try w.addSymbols(["a", "b"])
        let ref = try w.addSeries(["a": "b"], chunks: chunks)
        try w.close()
        #expect(try IndexReader(path: dir.path + "/index", displayName: "index").series(ref).chunks == chunks)
    }
}
