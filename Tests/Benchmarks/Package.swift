// swift-tools-version:6.1
// Benchmarks live in their own package so the library never depends on package-benchmark.
// Run: cd Tests/Benchmarks && swift package benchmark --target PromWireBenchmarks
// Allocation gate: swift package benchmark thresholds check --target PromWireBenchmarks --metric mallocCountTotal
// (Thresholds/ holds the expected mallocCountTotal per benchmark, measured with Swift 6.3.1 on Linux.)
import PackageDescription

let package = Package(
    name: "HearthBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Hearth", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PromWireBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PromWire", package: "Hearth"),
                .product(name: "PromModel", package: "Hearth"),
            ],
            path: "PromWireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
