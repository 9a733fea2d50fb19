import BtrfsAccounting
@testable import FixtureCheck
import Foundation
import XCTest

/// The JSON a child process hands back keeps everything the reporters need.
final class CaseResultRecordTests: XCTestCase {
    func testRoundTrip() throws {
        let fixtureCase = FixtureCase(directory: "F/c", root: "F", name: "c")
        var leak = makeFinding(.leakAtEvictOutstandingExtents, inode: 257)
        leak.reports = [AttachedReport(title: "WARNING in btrfs_destroy_inode", file: "F/c/dmesg.txt", line: 3, reason: "same inode")]
        leak.elidedEvents = 4
        var bare = makeFinding(.dataLoss, inode: nil, events: 0)
        bare.io = nil
        bare.filesystem = nil
        let outcomes: [CaseOutcome] = [.passed, .failed(["a", "b"]), .updated(["c"]), .error("x:1: y")]
        for outcome in outcomes {
            let original = CaseResult(fixtureCase: fixtureCase, outcome: outcome, duration: 0.5,
                                      report: makeReport([leak, bare]), reportTitles: ["WARNING in btrfs_destroy_inode"])
            let data = try JSONEncoder().encode(CaseResultRecord(original))
            let decoded = try XCTUnwrap(CaseRunner.decodeChildOutput(data, for: fixtureCase, duration: 0.5))
            XCTAssertEqual(decoded.outcome, outcome)
            XCTAssertEqual(decoded.report?.findings, original.report?.findings)
            XCTAssertEqual(decoded.report?.inputs, original.report?.inputs)
            XCTAssertEqual(decoded.reportTitles, original.reportTitles)
            XCTAssertEqual(SARIFReporter.document(for: decoded.report!), SARIFReporter.document(for: original.report!))
        }
        XCTAssertNil(CaseRunner.decodeChildOutput(Data("not json".utf8), for: fixtureCase, duration: 0))
    }
}
