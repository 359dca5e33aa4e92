import Foundation
import PromModel
import StorageAPI
import Testing

@testable import TSDB

/// A damaged block must be refused with an error naming the file and offset, or, where the damage
/// hits bytes the reader never uses (padding, legacy sections), still give exactly the right samples.
/// Never wrong samples and never a crash.
@Suite struct BlockCorruptionTests {
    static let files = ["index", "chunks/000001", "tombstones", "meta.json"]

    /// A pristine block with a tombstone (so that file has entries) and its expected content.
    static func makeBlock(in dir: TempDirectory) throws -> (path: String, expected: [ArraySeries]) {
        let input = BlockFixtures.series(count: 8, samplesPerSeries: 150)
        let meta = try BlockWriter(parentDirectory: dir.path).write(samples: input)
        let path = dir.path + "/" + meta.ulid.description
        let ref = try Block.open(directory: path).allSeries()[2].ref
        var t = Tombstones()
        t.add(ref, TombstoneInterval(minTime: .min, maxTime: Timestamp(ms: BlockFixtures.start + 60_000)))
        try t.write(toDirectory: path)
        return (path, try BlockFixtures.read(try Block.open(directory: path)))
    }

    /// Opens and fully reads the block (samples and chunks); returns the samples or the error.
    static func readAll(_ path: String) -> Result<[ArraySeries], any Error> {
        Result {
            let block = try Block.open(directory: path)
            let samples = try BlockFixtures.read(block)
            _ = try block.verify()
            return samples
        }
    }

    static func check(_ result: Result<[ArraySeries], any Error>, expected: [ArraySeries], file: String, what: String) {
        switch result {
        case .success(let got):
            #expect(got == expected, "\(what): wrong samples instead of an error")
        case .failure(let error):
            let text = "\(error)"
            #expect(error is TSDBError, "\(what): unexpected error type \(error)")
            #expect((error as? TSDBError)?.code == .corruption, "\(what): \(text)")
            #expect(text.contains(file), "\(what): error does not name \(file): \(text)")
            #expect(text.contains("offset"), "\(what): error has no offset: \(text)")
        }
    }

    @Test("flipped bytes are detected or harmless", arguments: files)
    func flippedBytes(file: String) throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let (path, expected) = try Self.makeBlock(in: dir)
        let target = path + "/" + file
        let original = try Data(contentsOf: URL(fileURLWithPath: target))
        // Every byte of small files; a spread of ~400 positions (always including the ends) otherwise.
        let step = max(1, original.count / 400)
        var detected = 0
        for position in Array(stride(from: 0, to: original.count, by: step)) + [original.count - 1] {
            var damaged = original
            damaged[position] ^= 0x5a
            try damaged.write(to: URL(fileURLWithPath: target))
            let result = Self.readAll(path)
            if case .failure = result { detected += 1 }
            Self.check(result, expected: expected, file: file, what: "\(file) byte \(position) flipped")
        }
        try original.write(to: URL(fileURLWithPath: target))
        #expect(detected > 0)
        #expect(try Self.readAll(path).get() == expected)
    }

    @Test("truncated files are refused", arguments: files)
    func truncated(file: String) throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let (path, expected) = try Self.makeBlock(in: dir)
        let target = path + "/" + file
        let original = try Data(contentsOf: URL(fileURLWithPath: target))
        for length in Set([0, 1, 4, 5, 8, original.count / 3, original.count / 2, original.count - 5, original.count - 1]) {
            try original.prefix(length).write(to: URL(fileURLWithPath: target))
            let result = Self.readAll(path)
            // Cutting only meta.json's trailing newline leaves valid JSON; check() still demands exact samples.
            let harmless = file == "meta.json" && length == original.count - 1
            if case .success = result, !harmless { Issue.record("\(file) truncated to \(length) bytes was accepted") }
            Self.check(result, expected: expected, file: file, what: "\(file) truncated to \(length)")
        }
    }

    @Test func forgedTOCWithValidChecksumNeverCrashes() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let (path, expected) = try Self.makeBlock(in: dir)
        let target = URL(fileURLWithPath: path + "/index")
        let original = [UInt8](try Data(contentsOf: target))
        let tocStart = original.count - 52
        var rng = SplitMix(seed: 11)
        // Offsets that point anywhere, with a correct CRC, so every section parser sees garbage.
        for _ in 0..<300 {
            var b = EncodingBuffer()
            for _ in 0..<6 { b.putBE64(rng.next() % UInt64(tocStart + 8)) }
            b.putCRC(from: 0)
            try Data(original.prefix(tocStart) + b.bytes).write(to: target)
            Self.check(Self.readAll(path), expected: expected, file: "index", what: "forged TOC")
        }
    }

    @Test func corruptChunkNamesSegmentAndOffset() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let (path, _) = try Self.makeBlock(in: dir)
        let block = try Block.open(directory: path)
        let ref = try block.allSeries()[3].chunks[1].ref
        let target = URL(fileURLWithPath: path + "/chunks/000001")
        var bytes = try Data(contentsOf: target)
        bytes[ref.offset + 6] ^= 0x01
        try bytes.write(to: target)
        let error = #expect(throws: TSDBError.self) { try BlockFixtures.read(try Block.open(directory: path)) }
        #expect(error?.message.contains("chunks/000001: chunk checksum mismatch at offset \(ref.offset)") == true)
    }
}
