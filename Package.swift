// swift-tools-version:6.0
import PackageDescription

/// The per-line path keeps its state in final classes; dynamic exclusivity checks on their
/// properties cost about a tenth of the run time and guard nothing the type system does not.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "dio-trace",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dio-trace", targets: ["dio-trace"]),
        // The library modules, for the libFuzzer targets of Fuzz/ (a package of its own).
        .library(name: "DioTraceLibraries", targets: [
            "TraceInput", "TraceEvents", "BtrfsAccounting", "KernelLog", "ElfSymbolization", "TraceDat", "FixtureCheck",
        ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // ISA-L's igzip, loaded with dlopen when present (libisal-dev for the header); zlib otherwise
        .target(name: "CIsal", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .systemLibrary(name: "CLzma", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CElfUtils", pkgConfig: "libdw", providers: [.apt(["libdw-dev", "libelf-dev"])]),

        // the one reporting layer: ReportWriter protocol and the one JSON writer
        .target(name: "ReportOutput"),
        // bytes -> lines (files, stdin, gzip, xz, zstd)
        .target(name: "TraceInput", dependencies: ["CZlib", "CIsal", "CLzma", "CZstd"], swiftSettings: hotPath),
        // lines -> typed events (ftrace / trace-cmd report / perf script, btrfs + iomap + kprobe payloads)
        .target(name: "TraceEvents", dependencies: ["TraceInput"], swiftSettings: hotPath),
        // typed events -> ledger -> findings -> reports
        .target(name: "BtrfsAccounting", dependencies: ["TraceEvents", "ReportOutput"], swiftSettings: hotPath),
        // dmesg -> kernel reports
        .target(name: "KernelLog", dependencies: ["ReportOutput"]),
        // libdw/libelf symbolization
        .target(name: "ElfSymbolization", dependencies: ["CElfUtils", "KernelLog"]),
        // trace.dat, read natively (v6, v7; zstd, zlib)
        .target(name: "TraceDat", dependencies: ["CZlib", "CZstd", "TraceInput", "TraceEvents"], swiftSettings: hotPath),
        // live tracefs control for `dio-trace record` (per-CPU raw buffers -> trace.dat) and the real-capture tests
        .target(name: "LiveTrace", dependencies: ["TraceInput", "TraceDat"]),
        // dio-trace check: fixture cases, JUnit, SARIF
        .target(name: "FixtureCheck", dependencies: ["BtrfsAccounting", "KernelLog", "TraceDat", "ReportOutput"]),

        .executableTarget(name: "dio-trace", dependencies: [
            "TraceInput", "TraceEvents", "BtrfsAccounting", "KernelLog", "ElfSymbolization", "TraceDat", "FixtureCheck", "LiveTrace", "ReportOutput",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "TraceEventsTests", dependencies: ["TraceEvents", "TraceInput"]),
        .testTarget(name: "BtrfsAccountingTests", dependencies: ["BtrfsAccounting", "TraceEvents", "TraceInput"]),
        .testTarget(name: "KernelLogTests", dependencies: ["KernelLog"]),
        .testTarget(name: "ReportOutputTests", dependencies: ["ReportOutput", "BtrfsAccounting", "KernelLog", "FixtureCheck", "TraceEvents"]),
        .testTarget(name: "ElfSymbolizationTests", dependencies: ["ElfSymbolization", "KernelLog"]),
        .testTarget(name: "TraceDatTests", dependencies: ["TraceDat", "BtrfsAccounting", "TraceEvents", "LiveTrace"]),
        .testTarget(name: "FixtureCheckTests", dependencies: ["FixtureCheck", "BtrfsAccounting"]),
        .testTarget(name: "LiveTraceTests", dependencies: ["LiveTrace"]),
        .testTarget(name: "EndToEndTests", dependencies: ["BtrfsAccounting", "LiveTrace"]),
    ],
    swiftLanguageModes: [.v6]
)
