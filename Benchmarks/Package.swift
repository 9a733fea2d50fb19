// swift-tools-version:6.0
import PackageDescription

// Benchmarks of dio-trace's libraries, outside the shipped binary (as swift-nio keeps its own):
// one executable, `dio-trace-bench`, with a subcommand per scenario (text, gzip, tracedat,
// symbolize, decode, record). Each prints the baseline tool measured in the same run and the ratio.
//
//     swift run -c release --package-path Benchmarks dio-trace-bench text
let package = Package(
    name: "dio-trace-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "dio-trace", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(name: "dio-trace-bench", dependencies: [
            .product(name: "DioTraceLibraries", package: "dio-trace"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
