import Foundation
import PromModel
import Testing

@testable import TSDB

@Suite struct BlockMetaTests {
    /// A meta.json as Prometheus 2.x and Thanos write it, with a field we do not model.
    static let prometheusJSON = """
        {
            "ulid": "01HZX3J6Q3B8N8ZC7V0W1YQK5M",
            "minTime": 1700000000000,
            "maxTime": 1700007200000,
            "stats": {"numSamples": 553, "numSeries": 2, "numChunks": 6, "numFloatSamples": 553},
            "compaction": {
                "level": 2,
                "sources": ["01HZX3J6Q3B8N8ZC7V0W1YQK5M", "01HZX3J6Q3B8N8ZC7V0W1YQK5N"],
                "parents": [{"ulid": "01HZX3J6Q3B8N8ZC7V0W1YQK5N", "minTime": 1700000000000, "maxTime": 1700003600000}]
            },
            "version": 1,
            "thanos": {"labels": {"tenant": "a"}, "downsample": {"resolution": 300000}, "source": "compactor"}
        }
        """

    @Test func decodesPrometheusAndThanosFields() throws {
        let meta = try BlockMeta(json: Array(Self.prometheusJSON.utf8))
        #expect(meta.ulid.description == "01HZX3J6Q3B8N8ZC7V0W1YQK5M")
        #expect(meta.maxTime - meta.minTime == 7_200_000)
        #expect(meta.stats == .init(numSamples: 553, numSeries: 2, numChunks: 6))
        #expect(meta.compaction.level == 2 && meta.compaction.sources.count == 2)
        #expect(meta.compaction.parents?.first?.maxTime == 1_700_003_600_000)
        #expect(meta.thanos == .init(labels: ["tenant": "a"], downsample: .init(resolution: 300_000), source: "compactor"))
    }

    @Test func encodesPrometheusFieldNamesAndRoundTrips() throws {
        var meta = BlockMeta(ulid: ULID(time: Timestamp(ms: 5)), minTime: 0, maxTime: 10, stats: .init(numSamples: 1))
        meta.thanos = .init(labels: ["replica": "r1"], source: "receive")
        let text = String(decoding: try meta.encodedJSON(), as: UTF8.self)
        for key in ["\"ulid\"", "\"minTime\"", "\"maxTime\"", "\"numSamples\"", "\"level\" : 1", "\"sources\"", "\"version\" : 1",
                    "\"resolution\" : 0"] {
            #expect(text.contains(key), "missing \(key) in \(text)")
        }
        #expect(try BlockMeta(json: try meta.encodedJSON()) == meta)
        #expect(!text.contains("numTombstones"))
    }

    @Test("invalid meta is refused", arguments: [
        "{}", "not json", #"{"ulid":"01HZX3J6Q3B8N8ZC7V0W1YQK5M","minTime":0,"maxTime":1,"stats":{"numSamples":0,"numSeries":0,"numChunks":0},"compaction":{"level":1,"sources":[]},"version":2}"#,
        #"{"ulid":"nope","minTime":0,"maxTime":1,"stats":{"numSamples":0,"numSeries":0,"numChunks":0},"compaction":{"level":1,"sources":[]},"version":1}"#,
        #"{"ulid":"01HZX3J6Q3B8N8ZC7V0W1YQK5M","minTime":5,"maxTime":1,"stats":{"numSamples":0,"numSeries":0,"numChunks":0},"compaction":{"level":1,"sources":[]},"version":1}"#,
    ])
    func invalid(json: String) {
        #expect(throws: TSDBError(.corruption, "")) { try BlockMeta(json: Array(json.utf8), file: "b/meta.json") }
    }
}
