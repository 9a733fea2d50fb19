import BtrfsAccounting
import FixtureCheck
import Foundation
import XCTest

final class CaseRunnerTests: XCTestCase {
    /// A fake kernel log decoder: one title per line starting with `TITLE `.
    private static let fakeTitles: ReportTitleDecoder = { path in
        guard let data = FileManager.default.contents(atPath: path) else { throw CaseError("\(path): unreadable") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("TITLE ") }.map { String($0.dropFirst(6)) }
    }

    private func makeCase(_ root: String, _ name: String, expect: String?, trace: Bool = true) throws -> String {
        let directory = root + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let expect { try write(expect, to: directory + "/expect.txt") }
        if trace { try FileManager.default.copyItem(atPath: sampleTracePath, toPath: directory + "/trace.txt") }
        return directory
    }

    func testDiscoveryIsRecursiveSortedAndStopsAtCases() throws {
        let root = try makeTemporaryDirectory(self)
        _ = try makeCase(root, "b/two", expect: "")
        _ = try makeCase(root, "a", expect: "")
        _ = try makeCase(root, "a/nested-is-ignored", expect: "")
        _ = try makeCase(root, "c/not-a-case", expect: nil)
        let cases = try CaseDiscovery.cases(under: root + "/")
        XCTAssertEqual(cases.map(\.name), ["a", "b/two"])
        XCTAssertEqual(cases.map(\.root), [root, root])
        XCTAssertEqual(try CaseDiscovery.cases(under: root + "/a").map(\.name), ["."])
        XCTAssertThrowsError(try CaseDiscovery.cases(under: root + "/missing"))
    }

    /// Symlinks back up the tree are searched once (two links to `.` walked ~2^40 paths).
    func testSymlinkLoopsEndDiscovery() throws {
        let root = try makeTemporaryDirectory(self)
        _ = try makeCase(root, "real/case", expect: "")
        try FileManager.default.createSymbolicLink(atPath: root + "/loop1", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: root + "/loop2", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: root + "/real/up", withDestinationPath: "..")
        let cases = try CaseDiscovery.cases(under: root)
        XCTAssertEqual(cases.map(\.name), ["real/case"])
    }

    func testFileRoles() {
        XCTAssertEqual(FixtureCase.role(of: "expect.txt"), .expectations)
        XCTAssertEqual(FixtureCase.role(of: "README"), .documentation)
        XCTAssertEqual(FixtureCase.role(of: "notes.md"), .documentation)
        XCTAssertEqual(FixtureCase.role(of: "dmesg.txt"), .kernelLog)
        XCTAssertEqual(FixtureCase.role(of: "kernel.log.gz"), .kernelLog)
        XCTAssertEqual(FixtureCase.role(of: "kernel.log.xz"), .kernelLog)
        XCTAssertEqual(FixtureCase.role(of: "console.log.zst"), .kernelLog)
        for trace in ["trace.txt", "trace.txt.gz", "trace.dat", "perf-script.txt", "run.perf"] {
            XCTAssertEqual(FixtureCase.role(of: trace), .trace, trace)
        }
    }

    /// Item 7: every kind of bad case is an error for that case, and the others still run.
    func testBadCasesAreErrorsAndTheOthersStillRun() throws {
        let root = try makeTemporaryDirectory(self)
        _ = try makeCase(root, "1-good", expect: "allow-other-findings no\n")
        _ = try makeCase(root, "2-no-trace", expect: "", trace: false)
        _ = try makeCase(root, "3-bad-expect", expect: "# header\nfinding DIO001 inode=257\nfinding DIO001 inode=x\n")
        let dangling = try makeCase(root, "4-dangling-symlink", expect: "")
        try FileManager.default.createSymbolicLink(atPath: dangling + "/gone.txt", withDestinationPath: root + "/nowhere")
        let fifo = try makeCase(root, "5-fifo", expect: "")
        XCTAssertEqual(mkfifo(fifo + "/pipe.txt", 0o644), 0)
        let notTrace = try makeCase(root, "6-not-a-trace", expect: "", trace: false)
        try write("hello, this is not a trace\n", to: notTrace + "/junk.txt")
        let badLink = try makeCase(root, "7-expect-is-dangling", expect: nil)
        try FileManager.default.createSymbolicLink(atPath: badLink + "/expect.txt", withDestinationPath: root + "/nowhere")
        _ = try makeCase(root, "8-good-too", expect: "")

        let suites = try CaseRunner(jobs: 3, reportTitles: Self.fakeTitles).run(roots: [root])
        XCTAssertEqual(suites.count, 1)
        let results = suites[0].results
        XCTAssertEqual(results.map(\.fixtureCase.name), ["1-good", "2-no-trace", "3-bad-expect", "4-dangling-symlink", "5-fifo",
                                                         "6-not-a-trace", "7-expect-is-dangling", "8-good-too"])
        XCTAssertEqual(results[0].outcome, .passed)
        XCTAssertEqual(results[7].outcome, .passed)
        func message(_ index: Int) -> String {
            guard case .error(let message) = results[index].outcome else { XCTFail("\(results[index].outcome)"); return "" }
            return message
        }
        XCTAssertTrue(message(1).contains("no trace in the case"), message(1))
        XCTAssertEqual(message(2), "\(root)/3-bad-expect/expect.txt:3: 'inode' must be a number, found 'x'")
        XCTAssertTrue(message(3).hasPrefix("\(root)/4-dangling-symlink/gone.txt: cannot read"), message(3))
        XCTAssertTrue(message(4).contains("pipe.txt: not a regular file"), message(4))
        XCTAssertTrue(message(5).contains("junk.txt:1: not a recognized trace"), message(5))
        XCTAssertTrue(message(6).contains("expect.txt: cannot read the expectations file"), message(6))
    }

    func testReportsComeFromTheInjectedDecoder() throws {
        let root = try makeTemporaryDirectory(self)
        let directory = try makeCase(root, "warn", expect: "report \"WARNING in btrfs_destroy_inode\"\n")
        try write("noise\nTITLE WARNING in btrfs_destroy_inode\n", to: directory + "/dmesg.txt")
        let extra = try makeCase(root, "extra", expect: "")
        try write("TITLE BUG: something\n", to: extra + "/kernel.log")
        let results = try CaseRunner(reportTitles: Self.fakeTitles).run(roots: [root])[0].results
        XCTAssertEqual(results.map(\.fixtureCase.name), ["extra", "warn"])
        XCTAssertEqual(results[0].outcome, .failed(["unexpected: report \"BUG: something\""]))
        XCTAssertEqual(results[1].outcome, .passed)
        // Without a decoder a kernel log cannot be checked: an error, not a silent pass.
        let undecoded = try CaseRunner().run(roots: [root])[0].results
        XCTAssertTrue(undecoded.allSatisfy { if case .error = $0.outcome { true } else { false } })
    }

    func testUpdateRewritesOnlyFailingCasesAndKeepsTheHeader() throws {
        let root = try makeTemporaryDirectory(self)
        let failing = try makeCase(root, "failing", expect: "# my case\nallow-other-findings no\nfinding DIO001 inode=257\n")
        let passing = try makeCase(root, "passing", expect: "# untouched\n")
        try write("TITLE WARNING in x\n", to: failing + "/dmesg.txt")
        let results = try CaseRunner(update: true, reportTitles: Self.fakeTitles).run(roots: [root])[0].results
        guard case .updated(let differences) = results[0].outcome else { return XCTFail("\(results[0].outcome)") }
        XCTAssertEqual(differences.count, 2)
        XCTAssertEqual(results[1].outcome, .passed)
        // The ledger of this build finds nothing in the sample; the rewritten file says what was found.
        let expectedFindings = results[0].report?.findings.map { CaseComparison.expectation(describing: $0).text } ?? []
        let rewritten = try String(contentsOfFile: failing + "/expect.txt", encoding: .utf8)
        XCTAssertEqual(rewritten, (["# my case", "allow-other-findings no", "allow-other-reports no"] + expectedFindings
                                   + ["report \"WARNING in x\""]).joined(separator: "\n") + "\n")
        XCTAssertEqual(try String(contentsOfFile: passing + "/expect.txt", encoding: .utf8), "# untouched\n")
        // After the update the case passes.
        XCTAssertEqual(try CaseRunner(reportTitles: Self.fakeTitles).run(roots: [root])[0].results[0].outcome, .passed)
    }

    func testParallelRunKeepsCaseOrder() throws {
        let root = try makeTemporaryDirectory(self)
        let names = (0 ..< 12).map { String(format: "case-%02d", $0) }
        for name in names { _ = try makeCase(root, name, expect: "") }
        for jobs in [1, 2, 5] {
            let suites = try CaseRunner(jobs: jobs).run(roots: [root, root + "/case-03"])
            XCTAssertEqual(suites.map(\.results.count), [12, 1])
            XCTAssertEqual(suites[0].results.map(\.fixtureCase.name), names)
            XCTAssertTrue(suites.allSatisfy { $0.results.allSatisfy { $0.outcome == .passed && $0.duration >= 0 } })
        }
        XCTAssertThrowsError(try CaseRunner().run(roots: [try makeTemporaryDirectory(self)])) { error in
            XCTAssertTrue("\(error)".contains("no case found"))
        }
    }

    func testKernelLogTitles() throws {
        // The real WARNs of the lab module (Fixtures/dmesg/dmesg-lab-warn.txt lines 5 and 51).
        let titles = try KernelLogTitles.decoder(packageRoot + "/Fixtures/dmesg/dmesg-lab-warn.txt")
        XCTAssertEqual(titles, ["WARNING in lab_evict_inode", "WARNING in lab_check_reservation"])
        // A report cut after its first line is still found, and titled as corrupted (syzkaller's rule).
        XCTAssertEqual(KernelLogTitles.titles(in: Array("[  152.473993] WARNING: CPU: 0 PID: 1687 at x.c:24 f+0x5/0xfca\n".utf8)).count, 1)
    }
}
