// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets over dio-trace's parsers, one executable per entry point. Built only by
// scripts/fuzz.sh (release, `-sanitize=fuzzer,address`, `-parse-as-library`): libFuzzer
// provides `main` and calls each target's `LLVMFuzzerTestOneInput`.
let fuzzers = ["text", "chunking", "gzip", "kernel-log", "expect", "tracedat", "elf", "kallsyms"]

let package = Package(
    name: "dio-trace-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "dio-trace", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["FuzzDriver", .product(name: "DioTraceLibraries", package: "dio-trace")]),
    ] + fuzzers.map { name in
        .executableTarget(name: "fuzz-\(name)", dependencies: [
            "FuzzSupport", .product(name: "DioTraceLibraries", package: "dio-trace"),
        ])
    },
    swiftLanguageModes: [.v6]
)
