import Foundation
import XCTest

/// Runs the built `dio-trace` binary: exit codes, stdin, output formats.
final class CommandLineTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        var candidates: [String] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("dio-trace").path)
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dio-trace").path)
        candidates.append(Self.root.appendingPathComponent(".build/debug/dio-trace").path)
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
        return URL(fileURLWithPath: found)
    }

    func run(_ args: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
        try Self.run(args, stdin: stdin)
    }

    static func run(_ args: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = root
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testExitCodes() throws {
        XCTAssertEqual(try run(["analyze", "Fixtures/kernel-6.1-qemu/dio-efault/ftrace.txt.gz"]).status, 0)
        let seed = try run(["analyze", "Fixtures/synthetic/seed-4.2-generic-095/trace.txt"])
        XCTAssertEqual(seed.status, 1)
        XCTAssertTrue(seed.out.contains("DIO010"))
        XCTAssertEqual(try run(["analyze", "--fail-on", "warning", "Fixtures/kernel-6.18-samples/ftrace-k6.18-trace_pipe-lost-events.txt"]).status, 1)
        XCTAssertEqual(try run(["analyze", "Fixtures/kernel-6.18-samples/ftrace-k6.18-trace_pipe-lost-events.txt"]).status, 0)
        let missing = try run(["analyze", "/nonexistent/trace.txt"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.contains("/nonexistent/trace.txt"))
        XCTAssertEqual(missing.err.split(separator: "\n").count, 1)
        XCTAssertEqual(try run(["analyze", "Fixtures"]).status, 2)
        XCTAssertEqual(try run(["analyze", "--bogus", "x"]).status, 2)
        XCTAssertEqual(try run(["analyze", "--format", "yaml", "x"]).status, 2)
    }

    func testStdinAndJSON() throws {
        let path = Self.root.appendingPathComponent("Fixtures/synthetic/seed-4.2-generic-095/trace.txt")
        let bytes = try Data(contentsOf: path)
        let r = try run(["analyze", "--format", "json", "-"], stdin: bytes)
        XCTAssertEqual(r.status, 1)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.first?["rule"] as? String, "DIO010")
        XCTAssertEqual(findings.first?["inode"] as? Int, 257)
        XCTAssertEqual((findings.first?["io"] as? [String: Any])?["task"] as? String, "fio")
        let events = try XCTUnwrap(findings.first?["events"] as? [[String: Any]])
        XCTAssertEqual(events.first?["file"] as? String, "<stdin>")
        XCTAssertEqual(events.first?["line"] as? Int, 40)
        let stats = try XCTUnwrap(json["statistics"] as? [String: Any])
        XCTAssertEqual(stats["unrecognized_lines"] as? Int, 0)
        XCTAssertNotNil(json["inodes"] as? [[String: Any]])
    }

    func testDmesgIsTiedToTheLeakFinding() throws {
        let r = try run(["analyze", "--format", "json", "--dmesg", "Fixtures/synthetic/seed-4.2-generic-095/dmesg.txt",
                         "Fixtures/synthetic/seed-4.2-generic-095/trace.txt"])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        let leak = try XCTUnwrap(findings.first { $0["rule"] as? String == "DIO002" })
        let reports = try XCTUnwrap(leak["reports"] as? [[String: Any]])
        XCTAssertEqual(reports.first?["title"] as? String, "WARNING in btrfs_destroy_inode")
        XCTAssertTrue((reports.first?["reason"] as? String ?? "").contains("umount-2801"))
    }

    func testTraceDatEqualsItsReportText() throws {
        let dat = try run(["analyze", "--format", "json", "Fixtures/tracedat/k6.1-dio-efault.dat"])
        let text = try run(["analyze", "--format", "json", "Fixtures/kernel-6.1-qemu/dio-efault/trace-cmd-report.txt.gz"])
        XCTAssertEqual(dat.status, 0, dat.err)
        func ledger(_ s: String) throws -> String {
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
            let inodes = try XCTUnwrap(json["inodes"] as? [[String: Any]])
            let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
            return inodes.map { "\($0["inode"] ?? 0):\($0["outstanding_extents"] ?? 0):\($0["open_ordered_extents"] ?? 0)" }.sorted().joined(separator: ",")
                + "|" + findings.map { "\($0["rule"] ?? "")" }.joined(separator: ",")
        }
        XCTAssertEqual(try ledger(dat.out), try ledger(text.out))
    }

    /// decode reads logs through the same opener as analyze: gzip, xz, zstd, stdin, and gzipped kallsyms.
    func testDecodeReadsCompressedLogsAndStdin() throws {
        let log = Self.root.appendingPathComponent("Fixtures/dmesg/dmesg-lab-warn.txt")
        let plain = try run(["decode", log.path])
        XCTAssertEqual(plain.status, 1)
        XCTAssertTrue(plain.out.hasPrefix("WARNING in lab_evict_inode [WARNING]"), plain.out)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dio-decode-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (suffix, tool) in [("gz", ["gzip", "-c"]), ("xz", ["xz", "-c"]), ("zst", ["zstd", "-q", "-c"])] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = tool + [log.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let path = directory.appendingPathComponent("log.\(suffix)")
            try data.write(to: path)
            XCTAssertEqual(try run(["decode", path.path]).out, plain.out, suffix)
            XCTAssertEqual(try run(["decode", "-"], stdin: data).out, plain.out, "stdin " + suffix)
        }
        let truncated = directory.appendingPathComponent("cut.gz")
        try Data(try Data(contentsOf: directory.appendingPathComponent("log.gz")).prefix(40)).write(to: truncated)
        let failed = try run(["decode", truncated.path])
        XCTAssertEqual(failed.status, 2)
        XCTAssertTrue(failed.err.contains(truncated.path + ": "), failed.err)
    }
}
