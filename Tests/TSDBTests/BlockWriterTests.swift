import Foundation
import PromModel
import StorageAPI
import Testing

@testable import TSDB

@Suite struct BlockWriterTests {
    @Test func samplesRoundTrip() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let input = BlockFixtures.series(count: 50, samplesPerSeries: 300)
        let meta = try BlockWriter(parentDirectory: dir.path).write(samples: input.shuffled())
        let block = try Block.open(directory: dir.path + "/" + meta.ulid.description)
        #expect(try BlockFixtures.read(block) == input)
        #expect(meta.stats.numSeries == 50)
        #expect(meta.stats.numSamples == 50 * 300)
        // 300 samples cut at 120 give 3 chunks per series.
        #expect(meta.stats.numChunks == 150)
        #expect(meta.minTime == input.map { $0.samples.first!.t.ms }.min())
        #expect(meta.maxTime == input.map { $0.samples.last!.t.ms }.max()! + 1)
        #expect(meta.compaction.level == 1 && meta.compaction.sources == [meta.ulid])
        #expect(try block.verify() == 50 * 300)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == [meta.ulid.description])
    }

    @Test func chunkBytesAreStoredAsGiven() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let writer = BlockWriter(parentDirectory: dir.path)
        let input = BlockFixtures.series(count: 5, samplesPerSeries: 250)
        let encoded = try input.map { ChunkSeries(labels: $0.labels, chunks: try writer.encodeChunks($0)) }
        let meta = try writer.write(series: encoded)
        let block = try Block.open(directory: dir.path + "/" + meta.ulid.description)
        let q = BlockQuerier(block: block, mint: .min, maxt: .max)
        var set = try awaitSync { try await q.selectChunks(sorted: true, hints: nil, matchers: [.equal("job", "api")]) }
        var got: [ChunkSeries] = []
        while let s = try set.next() { got.append(s) }
        let want = encoded.filter { $0.labels["job"] == "api" }
        #expect(got.map(\.labels) == want.map(\.labels))
        #expect(got.map(\.chunks) == want.map(\.chunks))
    }

    @Test func smallSegmentCapSpreadsChunksOverFiles() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let input = BlockFixtures.series(count: 20, samplesPerSeries: 500)
        let meta = try BlockWriter(parentDirectory: dir.path, maxSegmentSize: 4096).write(samples: input)
        let path = dir.path + "/" + meta.ulid.description
        let files = try FileManager.default.contentsOfDirectory(atPath: path + "/chunks").sorted()
        #expect(files.count > 3)
        #expect(files.first == "000001")
        for f in files {
            let size = try FileManager.default.attributesOfItem(atPath: path + "/chunks/" + f)[.size] as! Int
            #expect(size <= 4096)
        }
        #expect(try BlockFixtures.read(try Block.open(directory: path)) == input)
    }

    @Test func streamedSeriesAreEncodedLazilyAndMatchTheArrayForm() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let writer = BlockWriter(parentDirectory: dir.path)
        let input = BlockFixtures.series(count: 40, samplesPerSeries: 130)
        let symbols = input.flatMap { $0.labels.items.flatMap { [$0.name, $0.value] } }
        nonisolated(unsafe) var encoded = 0
        let stream = input.lazy.map { s in
            encoded += 1
            return ChunkSeries(labels: s.labels, chunks: try! writer.encodeChunks(s))
        }
        let meta = try writer.write(sortedSeries: stream, symbols: symbols)
        #expect(encoded == 40)
        #expect(meta.stats.numSamples == 40 * 130 && meta.stats.numChunks == 80)
        #expect(meta.minTime == input.map { $0.samples[0].t.ms }.min())
        let block = try Block.open(directory: dir.path + "/" + meta.ulid.description)
        #expect(try BlockFixtures.read(block) == input)

        let reversed = input.reversed().map { ChunkSeries(labels: $0.labels, chunks: try! writer.encodeChunks($0)) }
        #expect(throws: TSDBError(.outOfOrder, "")) { try writer.write(sortedSeries: reversed, symbols: symbols) }
        let one = [ChunkSeries(labels: ["__name__": "unknown"], chunks: try writer.encodeChunks(input[0]))]
        #expect(throws: TSDBError(.invalidArgument, "")) { try writer.write(sortedSeries: one, symbols: symbols) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [meta.ulid.description])
    }

    @Test func duplicateSeriesAreRejectedAndNothingIsLeftBehind() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let s = BlockFixtures.series(count: 1, samplesPerSeries: 3)[0]
        #expect(throws: TSDBError(.outOfOrder, "")) { try BlockWriter(parentDirectory: dir.path).write(samples: [s, s]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func unsortedSamplesAreRejected() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let s = ArraySeries(labels: ["__name__": "x"], samples: [
            Sample(t: Timestamp(ms: 2), v: 1), Sample(t: Timestamp(ms: 1), v: 1),
        ])
        #expect(throws: TSDBError(.outOfOrder, "")) { try BlockWriter(parentDirectory: dir.path).write(samples: [s]) }
    }

    @Test func emptyBlockOpens() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let meta = try BlockWriter(parentDirectory: dir.path).write(
            samples: [], minTime: Timestamp(ms: 0), maxTime: Timestamp(ms: 7_200_000))
        let block = try Block.open(directory: dir.path + "/" + meta.ulid.description)
        #expect(try BlockFixtures.read(block).isEmpty)
        #expect(block.maxTime == Timestamp(ms: 7_200_000))
    }
}

/// Runs an async throwing closure from a synchronous test body.
func awaitSync<T>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    nonisolated(unsafe) var result: Result<T, any Error>?
    let done = DispatchSemaphore(value: 0)
    Task {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result!.get()
}
