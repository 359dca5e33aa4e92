import Foundation
import PromModel
import StorageAPI
import Testing

@testable import TSDB

@Suite struct ChunkReaderTests {
    @Test func writesPrometheusSegmentLayout() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let w = ChunkWriter(directory: dir.path)
        let data: [UInt8] = [0, 1, 0x12, 0x34]
        let ref = try w.write(EncodedChunk(minTime: Timestamp(ms: 0), maxTime: Timestamp(ms: 0), encoding: .xor, bytes: data))
        try w.close()
        #expect(ref == ChunkRef(segment: 0, offset: 8))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path + "/000001")))
        let crc = CRC32C.checksum([1] + data)
        let want: [UInt8] = [0x85, 0xBD, 0x40, 0xDD, 1, 0, 0, 0, 4, 1] + data
            + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xff), UInt8(crc >> 8 & 0xff), UInt8(crc & 0xff)]
        #expect(bytes == want)

        let r = try ChunkReader(directory: dir.path, displayName: "chunks")
        let c = try r.chunk(ref)
        #expect(c.encoding == 1 && Array(c.data) == data)
    }

    @Test func badReferencesAndHeadersAreCorruption() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let w = ChunkWriter(directory: dir.path)
        _ = try w.write(EncodedChunk(minTime: Timestamp(ms: 0), maxTime: Timestamp(ms: 0), encoding: .xor, bytes: [0, 0]))
        try w.close()
        let r = try ChunkReader(directory: dir.path, displayName: "chunks")
        for ref in [ChunkRef(segment: 1, offset: 8), ChunkRef(segment: 0, offset: 2), ChunkRef(segment: 0, offset: 9999)] {
            #expect(throws: TSDBError(.corruption, "")) { try r.chunk(ref) }
        }
        try Data([0x85, 0xBD, 0x40, 0xDD, 2, 0, 0, 0]).write(to: URL(fileURLWithPath: dir.path + "/000002"))
        let error = #expect(throws: TSDBError.self) { try ChunkReader(directory: dir.path, displayName: "chunks") }
        #expect(error?.message == "chunks/000002: unsupported version 2 at offset 4")
        try FileManager.default.removeItem(atPath: dir.path + "/000002")
        try Data([0x85, 0xBD, 0x40, 0xDD, 1, 0, 0, 0]).write(to: URL(fileURLWithPath: dir.path + "/000003"))
        #expect(throws: TSDBError(.corruption, "")) { try ChunkReader(directory: dir.path, displayName: "chunks") }
    }
}
