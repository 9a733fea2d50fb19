import BtrfsAccounting
import FixtureCheck
import XCTest

final class CaseComparisonTests: XCTestCase {
    private let leak = makeFinding(.leakAtEvictOutstandingExtents, inode: 257)
    private let outlived = makeFinding(.reservationOutlivedIO, inode: 258, task: "dd", pid: 40)

    func testExactMatchPasses() {
        let expected = CaseExpectations(findings: [ExpectedFinding(ruleID: "DIO001", inode: 257),
                                                   ExpectedFinding(ruleID: "DIO010", inode: 258, severity: .error, root: 5, task: "dd", pid: 40)],
                                        reports: [ExpectedReport(title: "WARNING in btrfs_destroy_inode")])
        XCTAssertEqual(CaseComparison.differences(expected: expected, findings: [outlived, leak],
                                                  reportTitles: ["WARNING in btrfs_destroy_inode"]), [])
    }

    func testMissingAndUnexpectedAreNamed() {
        let expected = CaseExpectations(findings: [ExpectedFinding(ruleID: "DIO001", inode: 300, line: 4)],
                                        reports: [ExpectedReport(title: "WARNING in btrfs_destroy_inode", line: 5)])
        let differences = CaseComparison.differences(expected: expected, findings: [leak], reportTitles: ["BUG: x"])
        XCTAssertEqual(differences, [
            "missing: finding DIO001 inode=300  (expect.txt:4)",
            "unexpected: finding DIO001 inode=257 severity=error root=5 task=fio pid=812  (traces/run.txt:10)",
            "missing: report \"WARNING in btrfs_destroy_inode\"  (expect.txt:5)",
            "unexpected: report \"BUG: x\"",
        ])
    }

    func testOptionalFieldsMustMatchWhenGiven() {
        for expectation in [ExpectedFinding(ruleID: "DIO001", inode: 257, severity: .warning),
                            ExpectedFinding(ruleID: "DIO001", inode: 257, root: 6),
                            ExpectedFinding(ruleID: "DIO001", inode: 257, task: "dd"),
                            ExpectedFinding(ruleID: "DIO001", inode: 257, pid: 1),
                            ExpectedFinding(ruleID: "DIO002", inode: 257),
                            ExpectedFinding(ruleID: "DIO001", inode: nil)] {
            XCTAssertFalse(expectation.isSatisfied(by: leak), expectation.text)
        }
        XCTAssertTrue(ExpectedFinding(ruleID: "DIO001", inode: 257, severity: .error, root: 5, task: "fio", pid: 812).isSatisfied(by: leak))
    }

    func testAllowOtherFindingsAndReports() {
        let expected = CaseExpectations(findings: [ExpectedFinding(ruleID: "DIO001", inode: 257)],
                                        allowsOtherFindings: true, allowsOtherReports: true)
        XCTAssertEqual(CaseComparison.differences(expected: expected, findings: [leak, outlived], reportTitles: ["BUG: y"]), [])
        // Allowing others never excuses a missing one.
        XCTAssertEqual(CaseComparison.differences(expected: expected, findings: [outlived], reportTitles: []).count, 1)
    }

    func testEachExpectationNeedsItsOwnFinding() {
        // A loose expectation listed first must not steal the only finding the strict one can use.
        let strictLeak = makeFinding(.leakAtEvictOutstandingExtents, inode: 257, task: "dd", pid: 40)
        let expected = CaseExpectations(findings: [ExpectedFinding(ruleID: "DIO001", inode: 257),
                                                   ExpectedFinding(ruleID: "DIO001", inode: 257, task: "dd")])
        XCTAssertEqual(CaseComparison.differences(expected: expected, findings: [strictLeak, leak], reportTitles: []), [])
        XCTAssertEqual(CaseComparison.differences(expected: expected, findings: [strictLeak], reportTitles: []).count, 1)
        // Report titles are a multiset.
        let twice = CaseExpectations(reports: [ExpectedReport(title: "W"), ExpectedReport(title: "W")])
        XCTAssertEqual(CaseComparison.differences(expected: twice, findings: [], reportTitles: ["W"]), ["missing: report \"W\"  (expect.txt:0)"])
    }

    func testUpdateDescribesFindingsCompletely() {
        XCTAssertEqual(CaseComparison.expectation(describing: leak).text,
                       "finding DIO001 inode=257 severity=error root=5 task=fio pid=812")
        var noIO = makeFinding(.heldAtUnmount, inode: nil)
        noIO.io = nil
        noIO.root = nil
        XCTAssertEqual(CaseComparison.expectation(describing: noIO).text, "finding DIO020 inode=- severity=error")
    }
}
