import Foundation
import XCTest

/// `dio-trace explain` and the new `analyze` formats, run as the built binary.
final class ExplainCommandTests: XCTestCase {
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try CommandLineTests.run(args) }

    /// The synthetic 4.2 seed trace (generic/095 before 50745b0a7f46) told as the seed tells it.
    func testSeedStory() throws {
        let r = try run(["explain", "--finding", "DIO002", "Fixtures/synthetic/seed-4.2-generic-095/trace.txt"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("time") && $0.contains("Task A") && $0.contains("Task B") }, r.out)
        XCTAssertTrue(lines.contains { $0.contains("fio-2769") && $0.contains("kworker/u8:3-120") })
        // Trace lines 41, 47, 51 and 59 of the fixture, balance after each.
        XCTAssertTrue(lines.contains { $0.hasPrefix("511.960105  reserve 128 KiB metadata") && $0.hasSuffix(" 128 KiB    41") }, r.out)
        XCTAssertTrue(lines.contains { $0.hasPrefix("511.970204  reserve 128 KiB metadata") && $0.hasSuffix(" 256 KiB    47") }, r.out)
        XCTAssertTrue(lines.contains { $0.contains("release 128 KiB metadata") && $0.hasSuffix(" 128 KiB    51") }, r.out)
        XCTAssertTrue(lines.contains { $0.contains("inode 257 evicted") && $0.hasSuffix("59") }, r.out)
        XCTAssertTrue(lines.contains { $0.contains("release skipped: evicted with 128 KiB never released") })
        XCTAssertTrue(lines.allSatisfy { $0.count <= 100 })
    }

    func testMarkdownAndErrors() throws {
        let md = try run(["explain", "--format", "markdown", "--finding", "1", "Fixtures/mutants/efault-skip-release/ftrace.txt.gz"])
        XCTAssertEqual(md.status, 0, md.err)
        XCTAssertTrue(md.out.contains("| time | Task A: dio\\_efault-2193 | Task B: kworker/u4:1-25 | Task C: umount-2220 | metadata reserved | trace line |"), md.out)
        XCTAssertTrue(md.out.contains("`Fixtures/mutants/efault-skip-release/ftrace.txt.gz:5664`"))
        let none = try run(["explain", "--finding", "42", "Fixtures/mutants/efault-skip-release/ftrace.txt.gz"])
        XCTAssertEqual(none.status, 2)
        XCTAssertEqual(none.err, "dio-trace: no finding matches '42' (the trace has 8 findings: 1-8)\n")
        let missing = try run(["explain", "/nonexistent/trace.txt"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.err.split(separator: "\n").count, 1)
        XCTAssertTrue(missing.err.contains("/nonexistent/trace.txt"))
        let clean = try run(["explain", "Fixtures/mutants/control/ftrace.txt.gz"])
        XCTAssertEqual(clean.status, 0)
        XCTAssertTrue(clean.out.hasPrefix("no findings in "))
        XCTAssertEqual(try run(["explain", "--format", "html", "x"]).status, 2)
    }

    /// HTML and Perfetto of a trace that lost events: the loss is drawn (shaded window, slice).
    func testLostEventsAreShown() throws {
        let trace = "Fixtures/kernel-6.18-samples/ftrace-k6.18-trace_pipe-lost-events.txt"
        let html = try run(["analyze", "--format", "html", trace])
        XCTAssertEqual(html.status, 0, html.err)
        XCTAssertTrue(html.out.contains("\"kind\":\"lost-events\""))
        XCTAssertFalse(html.out.contains("<script src"))
        let perfetto = try run(["analyze", "--format", "perfetto", trace])
        XCTAssertTrue(perfetto.out.contains("\"cat\":\"lost\""))
    }
}
