import CHearthProto
import Foundation
import Testing

/// The committed protoc-c output must be what proto/generate.sh produces from proto/ today.
@Suite struct GeneratedCodeTests {
    @Test(.enabled(if: Fixtures.has("protoc-c"), "protoc-c is not installed (deploy/prerequisites.sh installs it)"))
    func committedProtocOutputIsCurrent() throws {
        let root = Fixtures.repositoryRoot
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-proto-\(getpid())")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try Fixtures.run(
            "bash", [root.appendingPathComponent("proto/generate.sh").path, out.path])
        try #require(result.status == 0, "generate-proto.sh failed: \(result.output)")
        let committed = root.appendingPathComponent("Sources/CHearthProto")
        let names =
            try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".c") }
            + FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("include").path).map {
                "include/" + $0
            }
        #expect(names.count == 7)
        for name in names {
            let fresh = try Data(contentsOf: out.appendingPathComponent(name))
            let old = try? Data(contentsOf: committed.appendingPathComponent(name))
            #expect(old == fresh, "Sources/CHearthProto/\(name) is stale: run proto/generate.sh")
        }
        let committedC = try FileManager.default.contentsOfDirectory(atPath: committed.path).filter {
            $0.hasSuffix(".c")
        }
        #expect(Set(committedC) == Set(names.filter { $0.hasSuffix(".c") }), "extra or missing generated .c files")
    }

    /// The 2.0 bridge reuses the 1.0 histogram code by rebinding memory; that needs identical layouts.
    @Test func histogramStructsShareLayout() {
        #expect(MemoryLayout<Prometheus__Histogram>.size == MemoryLayout<Io__Prometheus__Write__V2__Histogram>.size)
        #expect(MemoryLayout<Prometheus__BucketSpan>.size == MemoryLayout<Io__Prometheus__Write__V2__BucketSpan>.size)
        let a: [Int?] = [
            MemoryLayout<Prometheus__Histogram>.offset(of: \.positive_spans),
            MemoryLayout<Prometheus__Histogram>.offset(of: \.custom_values),
            MemoryLayout<Prometheus__Histogram>.offset(of: \.zero_count_case),
        ]
        let b: [Int?] = [
            MemoryLayout<Io__Prometheus__Write__V2__Histogram>.offset(of: \.positive_spans),
            MemoryLayout<Io__Prometheus__Write__V2__Histogram>.offset(of: \.custom_values),
            MemoryLayout<Io__Prometheus__Write__V2__Histogram>.offset(of: \.zero_count_case),
        ]
        #expect(a == b)
    }
}
