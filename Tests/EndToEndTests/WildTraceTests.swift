import Foundation
import XCTest

/// Every trace of `../shared/corpora/wild-kernel-inputs/traces` (third-party traces: trappy, LISA,
/// FlameGraph, perf-tools, kernel documentation, mailing lists) is read by the built `analyze` with
/// exit 0 or 1, and for text every line is accounted for: the per-kind counts sum to the lines,
/// which are counted here independently of the tokenizer.
final class WildTraceTests: XCTestCase {
    static let folder = CommandLineTests.root.deletingLastPathComponent()
        .appendingPathComponent("shared/corpora/wild-kernel-inputs/traces")

    func inputs() throws -> [URL] {
        guard FileManager.default.fileExists(atPath: Self.folder.path) else {
            throw XCTSkip("../shared/corpora/wild-kernel-inputs is absent")
        }
        return try FileManager.default.contentsOfDirectory(at: Self.folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension != "src" }.sorted { $0.path < $1.path }
    }

    func statistics(_ file: URL) throws -> (status: Int32, stats: [String: Any]) {
        let r = try CommandLineTests.run(["analyze", "--format", "json", file.path])
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        return (r.status, json?["statistics"] as? [String: Any] ?? [:])
    }

    /// Lines and blank (spaces/TABs only) lines of the decompressed text, counted byte by byte.
    func lineCounts(_ file: URL) throws -> (lines: Int, blank: Int) {
        var bytes = [UInt8](try Data(contentsOf: file))
        if file.pathExtension == "gz" {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip")
            p.arguments = ["-dc", file.path]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            bytes = [UInt8](out.fileHandleForReading.readDataToEndOfFile())
            p.waitUntilExit()
        }
        var lines = 0, blank = 0, onlySpace = true, inLine = false
        for b in bytes {
            if b == 0x0A {
                lines += 1
                if onlySpace { blank += 1 }
                onlySpace = true
                inLine = false
            } else {
                inLine = true
                if b != 0x20 && b != 0x09 { onlySpace = false }
            }
        }
        if inLine {
            lines += 1
            if onlySpace { blank += 1 }
        }
        return (lines, blank)
    }

    func testEveryWildTraceIsReadAndEveryLineCounted() throws {
        let files = try inputs()
        XCTAssertGreaterThanOrEqual(files.count, 52)
        var text = 0
        for file in files {
            let name = file.lastPathComponent
            let (status, stats) = try statistics(file)
            XCTAssertTrue(status == 0 || status == 1, "\(name): exit \(status)")
            let events = stats["events"] as? Int ?? -1
            if file.pathExtension == "dat" {
                XCTAssertGreaterThan(events, 0, name)
                continue
            }
            text += 1
            let kinds = stats["lines_by_kind"] as? [String: Int] ?? [:]
            let (lines, blank) = try lineCounts(file)
            XCTAssertEqual(stats["lines"] as? Int, lines, "\(name): lines")
            XCTAssertEqual(kinds["blank"], blank, "\(name): blank lines")
            XCTAssertEqual(kinds["event"], events, name)
            XCTAssertEqual(kinds.values.reduce(0, +), lines, "\(name): lines by kind \(kinds) do not sum to the lines")
            // Only the mail-wrapped pastes (lines split by the mailer) have lines no tracer prints.
            if !name.contains("wrapped") {
                XCTAssertEqual(stats["unrecognized_lines"] as? Int, 0, "\(name): \(stats["problems"] ?? "")")
            }
            let traced = events + (kinds["function"] ?? 0) + (kinds["function_graph"] ?? 0)
            XCTAssertGreaterThan(traced, 0, "\(name): nothing traced was read")
        }
        XCTAssertGreaterThanOrEqual(text, 45)
    }

    /// Counts checked by hand against the files (grep and reading).
    func testVariantCountsCheckedByHand() throws {
        _ = try inputs()
        func kinds(_ name: String) throws -> ([String: Int], [String: Any]) {
            let (status, stats) = try statistics(Self.folder.appendingPathComponent(name))
            XCTAssertEqual(status, 0, name)
            return (stats["lines_by_kind"] as? [String: Int] ?? [:], stats)
        }
        // perf script, no CPU column, period 10101010: 11 samples, 52 TAB frames, 10 blank lines.
        var (k, s) = try kinds("flamegraph-perf-dd-stacks-01.txt")
        XCTAssertEqual([k["event"], k["callchain"], k["blank"]], [11, 52, 10])
        XCTAssertEqual(s["formats"] as? [String], ["perf"])
        // perf script with CPU column and period 1: 23 page-faults samples.
        (k, s) = try kinds("flamegraph-perf-java-faults-01.txt")
        XCTAssertEqual(k["event"], 23)
        XCTAssertEqual((s["events_by_name"] as? [String: Int])?["page-faults"], 23)
        // trace-cmd report with TAB-led event lines: 15 events, one timestamp backwards
        // (line 10, 7115.449809 after 7115.449811), 2 header lines.
        (k, s) = try kinds("trappy-tests-trace_idle_unsorted.txt")
        XCTAssertEqual([k["event"], k["comment"]], [15, 2])
        XCTAssertEqual(s["timestamps_backwards"] as? Int, 1)
        // Kernel documentation, indented: 20 header lines, 3 function calls, `<stack trace>` + 10 frames.
        (k, s) = try kinds("kernel-doc-irqsoff-latency-format.txt")
        XCTAssertEqual([k["comment"], k["function"], k["stack_trace"], k["event"]], [20, 3, 11, 0])
        XCTAssertEqual(s["formats"] as? [String], ["ftrace"])
        // function_graph: 119 lines (two of them `------` separators) and a blank one.
        (k, _) = try kinds("perftools-funcgraph.txt")
        XCTAssertEqual([k["function_graph"], k["blank"]], [119, 1])
        // 3 block_rq_issue events, each followed by `<stack trace>` and 15 frames.
        (k, _) = try kinds("perftools-tpoint-stacks.txt")
        XCTAssertEqual([k["event"], k["stack_trace"]], [3, 48])
        // Mail-wrapped: the continuation `2b742cae-...: qgid=5 ...` is not an event named by a UUID.
        (k, s) = try kinds("btrfs-qgroup-update-reserve-wrapped.txt")
        XCTAssertEqual([k["event"], k["unrecognized"]], [1, 1])
        XCTAssertEqual((s["events_by_name"] as? [String: Int])?.keys.sorted(), ["qgroup_update_reserve"])
    }
}
