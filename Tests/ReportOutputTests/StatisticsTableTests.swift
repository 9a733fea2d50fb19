import BtrfsAccounting
import Foundation
import TraceEvents
import XCTest

/// `TraceStatistics.counters` is the one table behind merge, JSON and the text line.
final class StatisticsTableTests: XCTestCase {
    /// Every UInt64 counter of TraceStatistics has its row (a counter added without one fails here).
    func testEveryCounterHasARow() {
        let stored = Mirror(reflecting: TraceStatistics()).children.filter { $0.value is UInt64 }.count
        XCTAssertEqual(TraceStatistics.counters.count, stored)
        XCTAssertEqual(Set(TraceStatistics.counters.map(\.key)).count, stored, "duplicate JSON keys")
        var s = TraceStatistics()
        for (i, c) in TraceStatistics.counters.enumerated() { s[keyPath: c.value] = UInt64(i + 1) }
        let values = Mirror(reflecting: s).children.compactMap { $0.value as? UInt64 }
        XCTAssertEqual(Set(values), Set(1...UInt64(stored)), "two rows name the same counter")
    }

    func testMergeJSONAndTextFollowTheTable() throws {
        var a = TraceStatistics(), b = TraceStatistics()
        for (i, c) in TraceStatistics.counters.enumerated() {
            a[keyPath: c.value] = UInt64(i + 1)
            b[keyPath: c.value] = UInt64(100 * (i + 1))
        }
        a.merge(b)
        for (i, c) in TraceStatistics.counters.enumerated() { XCTAssertEqual(a[keyPath: c.value], UInt64(101 * (i + 1)), c.key) }
        let report = AnalysisReport(inputs: ["x"], findings: [], statistics: a, inodes: [], generations: [])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(JSONReport.render(report).utf8)) as? [String: Any])
        let stats = try XCTUnwrap(json["statistics"] as? [String: Any])
        for (i, c) in TraceStatistics.counters.enumerated() { XCTAssertEqual(stats[c.key] as? Int, 101 * (i + 1), c.key) }
        let text = TextReport.render(report)
        for (i, c) in TraceStatistics.counters.enumerated() where c.text != .never {
            XCTAssertTrue(text.contains("\(c.label): \(101 * (i + 1))"), c.label)
        }
        // Counters shown only when non-zero stay out of a clean run's line.
        let clean = TextReport.render(AnalysisReport(inputs: ["x"], findings: [], statistics: TraceStatistics(), inodes: [], generations: []))
        XCTAssertTrue(clean.contains("unrecognized lines: 0, malformed: 0, lost events: 0\n"))
        XCTAssertFalse(clean.contains("overlong"))
    }
}
