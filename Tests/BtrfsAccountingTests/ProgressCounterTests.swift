import Foundation
import XCTest
@testable import BtrfsAccounting
import TraceEvents
import TraceInput

/// The progress counter an analysis fills (for the terminal's progress line) ends at the exact
/// stored size of its inputs and the events the statistics count, on every read path, and the
/// report is the same with and without it.
final class ProgressCounterTests: XCTestCase {
    let gzip = FixturePaths.path("mutants/efault-skip-release/ftrace.txt.gz")

    func testCountsEndAtTheStoredSizeAndTheEventsOfMappedAndStreamedInputs() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: gzip), "fixture missing")
        let plain = FileManager.default.temporaryDirectory.appendingPathComponent("dio-trace-progress-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: plain) }
        let text = try InputOpener.open(path: gzip).readAll()
        try Data(text).write(to: plain)

        for (paths, blockSize) in [([plain.path], 1 << 20), ([gzip], 8 << 20), ([plain.path, gzip], 300_000)] {
            let counter = ProgressCounter()
            var options = AnalysisOptions()
            options.progress = counter
            options.parallelBlockSize = blockSize
            let withProgress = try Analysis.run(paths: paths, options: options)
            let without = try Analysis.run(paths: paths)
            let stored = paths.reduce(0) { $0 + ProgressCounter.storedSize(of: $1) }
            let s = counter.snapshot
            XCTAssertEqual(s.totalBytes, stored, "\(paths)")
            XCTAssertEqual(s.bytes, stored, "\(paths)")
            XCTAssertEqual(UInt64(s.events), withProgress.statistics.events, "\(paths)")
            XCTAssertGreaterThan(s.events, 50_000)
            XCTAssertEqual(withProgress.findings.map(\.message), without.findings.map(\.message))
        }
        XCTAssertEqual(ProgressCounter.storedSize(of: gzip), 513_858)
    }

    func testStandardInputHasNoTotal() {
        let counter = ProgressCounter()
        counter.setTotals(bytes: 0)
        counter.add(bytes: 10, events: 3)
        let s = counter.snapshot
        XCTAssertEqual([s.bytes, s.totalBytes, s.events, s.items, s.totalItems], [10, 0, 3, 0, 0])
    }
}
