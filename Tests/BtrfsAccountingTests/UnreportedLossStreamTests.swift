import XCTest
@testable import BtrfsAccounting
import TraceEvents

/// Losses the ring-buffer statistics show beyond what the trace reported are added per CPU at
/// the end; the text and JSON reports give the lost events by CPU.
final class UnreportedLossStreamTests: XCTestCase {
    final class ReportedLoss: EventStream {
        var statistics = TraceStatistics()
        init() { statistics.noteLostEvents(61, cpu: 0); statistics.noteLostEvents(100, cpu: 1) }
        func read(sink: (TraceEvent) throws -> Void) throws {}
    }

    func testOnlyTheUnreportedRemainderIsAdded() throws {
        let stream = UnreportedLossStream(ReportedLoss(), knownLossByCPU: [0: 61, 1: 170, 2: 5])
        var losses: [DataLoss] = []
        try stream.read { event in
            if case .dataLoss(let loss) = event.payload { losses.append(loss) }
        }
        XCTAssertEqual(losses, [DataLoss(kind: .lost, cpu: 1, count: 70), DataLoss(kind: .lost, cpu: 2, count: 5)])
        XCTAssertEqual(stream.statistics.lostEvents, 61 + 170 + 5)
        XCTAssertEqual(stream.statistics.lostEventsByCPU, [0: 61, 1: 170, 2: 5])
        XCTAssertEqual(stream.statistics.dataLossMarkers, 2)
    }

    func testReportsGiveLostEventsByCPU() throws {
        let path = FixturePaths.fixtures.appendingPathComponent("kernel-6.18-samples/ftrace-k6.18-trace_pipe-lost-events.txt").path
        let report = try Analysis.run(paths: [path])
        XCTAssertEqual(report.statistics.lostEventsByCPU, [0: 61, 1: 20130])
        XCTAssertTrue(TextReport.render(report).contains("lost events by CPU: cpu0 61, cpu1 20130\n"))
        XCTAssertTrue(JSONReport.render(report).contains(#""lost_events_by_cpu":{"0":61,"1":20130}"#), JSONReport.render(report))
    }
}
