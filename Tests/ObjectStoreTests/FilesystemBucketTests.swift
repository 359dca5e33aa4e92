import Foundation
import ObjectStore
import Testing

@Suite struct FilesystemBucketTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-bucket-\(UUID().uuidString)").path

    func withBucket(_ body: (FilesystemBucket) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await body(try FilesystemBucket(root: dir))
    }

    @Test func putGetRangeSizeExistsDelete() async throws {
        try await withBucket { b in
            try await b.put("t/01ABC/meta.json", Array("hello world".utf8))
            #expect(try await b.get("t/01ABC/meta.json") == Array("hello world".utf8))
            #expect(try await b.getRange("t/01ABC/meta.json", offset: 6, length: 100) == Array("world".utf8))
            #expect(try await b.getRange("t/01ABC/meta.json", offset: 50, length: 10) == [])
            #expect(try await b.size("t/01ABC/meta.json") == 11)
            #expect(try await b.exists("t/01ABC/meta.json"))
            #expect(try await b.exists("t/01ABC") == false)
            try await b.delete("t/01ABC/meta.json")
            try await b.delete("t/01ABC/meta.json")  // idempotent
            #expect(try await b.exists("t/01ABC/meta.json") == false)
            #expect(try await b.list(prefix: "", delimiter: "/") == [])
        }
    }

    @Test func missingObjectIsNotFound() async throws {
        try await withBucket { b in
            await #expect { try await b.get("nope") } throws: { ($0 as? ObjectStoreError)?.code == .notFound }
            await #expect { try await b.size("nope") } throws: { ($0 as? ObjectStoreError)?.code == .notFound }
        }
    }

    @Test("invalid keys are refused", arguments: ["", "/abs", "a//b", "a/../b", "./a", "a/"])
    func invalidKeys(key: String) async throws {
        try await withBucket { b in
            await #expect { try await b.put(key, [1]) } throws: { ($0 as? ObjectStoreError)?.code == .invalidKey }
        }
    }

    @Test func listWithAndWithoutDelimiter() async throws {
        try await withBucket { b in
            for key in ["t1/A/meta.json", "t1/A/chunks/000001", "t1/B/index", "t2/C/meta.json", "top"] {
                try await b.put(key, [0])
            }
            #expect(try await b.list(prefix: "", delimiter: "/") == ["t1/", "t2/", "top"])
            #expect(try await b.list(prefix: "t1/", delimiter: "/") == ["t1/A/", "t1/B/"])
            #expect(try await b.list(prefix: "t1/A/", delimiter: nil) == ["t1/A/chunks/000001", "t1/A/meta.json"])
            #expect(try await b.list(prefix: "t", delimiter: "/") == ["t1/", "t2/", "top"])
            #expect(try await b.list(prefix: "t1/A/m", delimiter: nil) == ["t1/A/meta.json"])
            #expect(try await b.list(prefix: "", delimiter: nil).count == 5)
            try await b.deleteAll(prefix: "t1/")
            #expect(try await b.list(prefix: "", delimiter: "/") == ["t2/", "top"])
        }
    }

    @Test func uploadFromFileAndOverwriteIsAtomic() async throws {
        try await withBucket { b in
            let src = dir + "-src"
            defer { try? FileManager.default.removeItem(atPath: src) }
            let big = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            FileManager.default.createFile(atPath: src, contents: Data(big))
            try await b.upload("x/chunks/000001", fromFile: src)
            #expect(try await b.get("x/chunks/000001") == big)
            try await b.put("x/chunks/000001", [9])
            #expect(try await b.get("x/chunks/000001") == [9])
            // No temporary files linger in listings.
            #expect(try await b.list(prefix: "x/", delimiter: nil) == ["x/chunks/000001"])
        }
    }
}
