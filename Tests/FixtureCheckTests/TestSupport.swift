import BtrfsAccounting
import Foundation
import TraceEvents
import XCTest

/// The package root, found from this file's path (no resource bundles).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

struct ProcessOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments` in `directory` and collects its output.
func runProcess(_ executable: String, _ arguments: [String], in directory: String = packageRoot) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    // Output goes to files so a full pipe can never block the child.
    let base = NSTemporaryDirectory() + "dio-trace-process-" + UUID().uuidString
    _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
    _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
    defer {
        try? FileManager.default.removeItem(atPath: base + ".out")
        try? FileManager.default.removeItem(atPath: base + ".err")
    }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
    try process.run()
    process.waitUntilExit()
    let stdoutData = FileManager.default.contents(atPath: base + ".out") ?? Data()
    let stderrData = FileManager.default.contents(atPath: base + ".err") ?? Data()
    return ProcessOutput(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                         stderr: String(decoding: stderrData, as: UTF8.self))
}

/// Runs a Python helper from scripts/.
func runPython(_ script: String, _ arguments: [String]) throws -> ProcessOutput {
    try runProcess("/usr/bin/env", ["python3", packageRoot + "/scripts/" + script] + arguments)
}

/// The built `dio-trace` next to the test bundle (`.build-ck/debug/dio-trace`).
func dioTraceBinary() throws -> String {
    var candidates: [String] = []
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("dio-trace").path)
    }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dio-trace").path)
    candidates.append(packageRoot + "/.build-ck/debug/dio-trace")
    candidates.append(packageRoot + "/.build/debug/dio-trace")
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw XCTSkip("dio-trace binary not built; looked at \(candidates)")
    }
    return found
}

/// A fresh temporary directory, removed by the test case's teardown.
func makeTemporaryDirectory(_ testCase: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "dio-trace-check-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// A small, real ftrace trace (the nocow-dio sample) that analyze reads.
var sampleTracePath: String { packageRoot + "/Fixtures/cases/k6.18-ftrace-nocow-dio/trace.txt" }

/// A finding built in the test, with a chain of `events` events in `file`.
func makeFinding(_ rule: Rule, inode: UInt64?, severity: Severity? = nil, task: String = "fio", pid: Int32 = 812,
                 file: String = "traces/run.txt", events: Int = 3, message: String = "leak") -> Finding {
    let chain = (0 ..< events).map { index in
        EventReference(file: file, line: 10 + index * 5, timestamp: 5_123_000_451_000 + UInt64(index) * 1000, task: task,
                       pid: pid, event: index == 0 ? "btrfs_inode_mod_outstanding_extents" : "btrfs_inode_evict")
    }
    return Finding(rule: rule, severity: severity, filesystem: FilesystemID(high: 0x0fcf_8427_9ad4_4ce5, low: 0xb75e_e771_0caf_d5f1),
                   root: 5, inode: inode,
                   io: IODescription(task: task, pid: pid, offset: 0, length: 65536, source: "iomap_dio_rw_begin", result: -14),
                   amount: 1, unit: .extents, message: message, events: chain)
}

func makeReport(_ findings: [Finding], inputs: [String] = ["traces/run.txt"]) -> AnalysisReport {
    AnalysisReport(inputs: inputs, findings: findings, statistics: TraceStatistics(), inodes: [], generations: ["5.x/6.x"])
}
