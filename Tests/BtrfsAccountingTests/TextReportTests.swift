import XCTest
@testable import BtrfsAccounting
import TraceEvents
import TraceInput

/// The text report prints data-loss markers and the non-event line counts readably.
final class TextReportTests: XCTestCase {
    func testDataLossMarkersAndLineKindsAreReadable() throws {
        let path = FixturePaths.fixtures.appendingPathComponent("kernel-6.18-samples/ftrace-k6.18-trace_pipe-lost-events.txt").path
        let text = TextReport.render(try Analysis.run(paths: [path]))
        // `CPU:0 [LOST 61 EVENTS]` is line 1 and `CPU:1 [LOST 20130 EVENTS]` line 7 of the file.
        XCTAssertTrue(text.contains("    \(path):1 data loss (marker line)\n"), text)
        XCTAssertTrue(text.contains("    \(path):7 data loss (marker line)\n"), text)
        XCTAssertFalse(text.contains("--1"), text)
        XCTAssertFalse(text.contains("non-event lines:"), text) // 8 events and 2 markers, nothing else

        let trace = "# tracer: function\n          svscan-1678  [001] .... 6413283.729520: do_nanosleep <-hrtimer_nanosleep\n"
        let report = try Analysis.run(source: MemorySource(bytes: Array(trace.utf8)), name: "t", format: .ftrace)
        XCTAssertTrue(TextReport.render(report).contains("non-event lines: comment 1, function 1\n"))
    }
}
