import XCTest
@testable import BtrfsAccounting
import TraceEvents

/// A trace that breaks a rule on every inode (generic/299 after losing 47 M events: 640,631 findings,
/// 1.7 GB) lists the first findings of each rule and counts the rest, which still set the exit status
/// and are lowered like listed ones when the trace lost events after them.
final class UnlistedFindingsTests: XCTestCase {
    func finding(_ rule: Rule, inode: UInt64) -> Finding {
        Finding(rule: rule, filesystem: nil, root: 5, inode: inode, amount: 4096, message: "test", events: [])
    }

    func testFindingsBeyondTheCapAreCountedBySeverity() {
        var ledger = Ledger(fileNames: ["t"])
        let cap = Ledger.listedFindingsPerRule
        for inode in 0..<(cap + 250) {
            ledger.currentLine = inode + 1
            ledger.record(finding(.leakAtEvictMetadata, inode: UInt64(inode)))
        }
        for inode in 0..<10 { ledger.record(finding(.leakAtEvictOutstandingExtents, inode: UInt64(inode))) }
        // Events lost after line 1100: the errors made after it become warnings, listed or not.
        ledger.downgradeFindings(madeAfter: 1100)
        let result = ledger.finish()
        XCTAssertEqual(result.findings.filter { $0.rule == .leakAtEvictMetadata }.count, cap)
        XCTAssertEqual(result.findings.filter { $0.rule == .leakAtEvictOutstandingExtents }.count, 10)
        XCTAssertEqual(result.unlisted, [
            UnlistedFindings(rule: .leakAtEvictMetadata, severity: .error, count: 100),
            UnlistedFindings(rule: .leakAtEvictMetadata, severity: .warning, count: 150),
        ])
        var report = AnalysisReport(inputs: ["t"], findings: [], statistics: TraceStatistics(), inodes: [], generations: [])
        report.unlistedFindings = result.unlisted
        XCTAssertEqual(report.worstSeverity, .error, "unlisted errors still fail the run")
        XCTAssertTrue(TextReport.render(report).contains("100 more DIO002 errors not listed"))
        XCTAssertTrue(JSONReport.render(report).contains(#""unlisted_findings":[{"rule":"DIO002","severity":"error","count":100}"#))
    }
}
