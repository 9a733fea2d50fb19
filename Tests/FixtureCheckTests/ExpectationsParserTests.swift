import BtrfsAccounting
@testable import FixtureCheck
import XCTest

final class ExpectationsParserTests: XCTestCase {
    func testParsesEveryDirective() throws {
        let text = """
            # Case: EFAULT direct write leaks an outstanding extent
            # second header line

            allow-other-findings yes   # trailing comment
            allow-other-reports no
            finding DIO001 inode=257
            finding DIO010 inode=258 severity=warning root=5 task="kworker/u16:3 x" pid=812
            finding DIO020 inode=-
            report "WARNING in btrfs_destroy_inode"
            report "BUG: \\"quoted\\" \\\\ title # not a comment"
            """
        let expectations = try ExpectationsParser.parse(text, file: "case/expect.txt")
        XCTAssertEqual(expectations.headerComments, ["# Case: EFAULT direct write leaks an outstanding extent", "# second header line"])
        XCTAssertTrue(expectations.allowsOtherFindings)
        XCTAssertFalse(expectations.allowsOtherReports)
        XCTAssertEqual(expectations.findings, [
            ExpectedFinding(ruleID: "DIO001", inode: 257, line: 6),
            ExpectedFinding(ruleID: "DIO010", inode: 258, severity: .warning, root: 5, task: "kworker/u16:3 x", pid: 812, line: 7),
            ExpectedFinding(ruleID: "DIO020", inode: nil, line: 8),
        ])
        XCTAssertEqual(expectations.reports.map(\.title), ["WARNING in btrfs_destroy_inode", "BUG: \"quoted\" \\ title # not a comment"])
        XCTAssertEqual(expectations.reports.map(\.line), [9, 10])
    }

    func testDefaultsAreStrict() throws {
        let expectations = try ExpectationsParser.parse("", file: "expect.txt")
        XCTAssertEqual(expectations, CaseExpectations())
        XCTAssertFalse(expectations.allowsOtherFindings)
        XCTAssertFalse(expectations.allowsOtherReports)
    }

    func testSyntaxErrorsNameFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("finding DIO001 inode=257\nfindings DIO001 inode=1", 2, "unknown directive 'findings'"),
            ("# header\nfinding DIO001", 2, "missing inode=N"),
            ("\n\nfinding DIO999 inode=1", 3, "unknown rule ID 'DIO999'"),
            ("finding DIO001 inode=abc", 1, "'inode' must be a number"),
            ("finding DIO001 inode=1 severity=fatal", 1, "severity must be note, warning or error"),
            ("finding DIO001 inode=1 colour=red", 1, "unknown key 'colour'"),
            ("finding DIO001 inode=1 inode=2", 1, "'inode' given twice"),
            ("finding DIO001 inode=1 oops", 1, "expected key=value"),
            ("finding inode=1", 1, "expected a rule ID"),
            ("report \"unterminated", 1, "unterminated quoted string"),
            ("report", 1, "expected one quoted title"),
            ("report \"a\" \"b\"", 1, "expected one quoted title"),
            ("allow-other-findings maybe", 1, "expected 'allow-other-findings yes'"),
            ("allow-other-reports no\nallow-other-reports yes", 2, "'allow-other-reports' given twice"),
        ]
        for (text, line, message) in cases {
            XCTAssertThrowsError(try ExpectationsParser.parse(text, file: "dir/expect.txt"), text) { error in
                guard let error = error as? ExpectationsSyntaxError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.file, "dir/expect.txt", text)
                XCTAssertEqual(error.line, line, text)
                XCTAssertTrue(error.message.contains(message), "\(text): \(error.message)")
                XCTAssertTrue(error.description.hasPrefix("dir/expect.txt:\(line): "), error.description)
            }
        }
    }

    func testRenderParsesBackToTheSameExpectations() throws {
        let expectations = CaseExpectations(
            findings: [ExpectedFinding(ruleID: "DIO010", inode: 258, severity: .error, root: 5, task: "my task #1", pid: 9, line: 4),
                       ExpectedFinding(ruleID: "DIO050", inode: nil, line: 5)],
            reports: [ExpectedReport(title: "WARNING in \"x\"", line: 6)],
            allowsOtherFindings: true, allowsOtherReports: false, headerComments: ["# a case"])
        let text = ExpectationsParser.render(expectations)
        XCTAssertEqual(text, """
            # a case
            allow-other-findings yes
            allow-other-reports no
            finding DIO010 inode=258 severity=error root=5 task="my task #1" pid=9
            finding DIO050 inode=-
            report "WARNING in \\"x\\""

            """)
        XCTAssertEqual(try ExpectationsParser.parse(text, file: "expect.txt"), expectations)
    }

    /// A CRLF file is read line by line (it was one line: a leading `#` made it all a comment).
    func testCRLFLinesAreLines() throws {
        let text = "# a case\r\nallow-other-findings no\r\nfinding DIO010 inode=258 severity=error\r\nreport \"WARNING in x\"\r\n"
        let e = try ExpectationsParser.parse(text, file: "expect.txt")
        XCTAssertEqual(e.findings.map(\.ruleID), ["DIO010"])
        XCTAssertEqual(e.findings.first?.inode, 258)
        XCTAssertEqual(e.reports.map(\.title), ["WARNING in x"])
        XCTAssertEqual(e.headerComments, ["# a case"])
    }

    /// A task name with a carriage return or another control character is quoted, so it reads back.
    func testControlCharactersInTaskNamesRoundTrip() throws {
        for task in ["f\rio", "a\u{1}b", "x\u{7F}"] {
            let expectations = CaseExpectations(findings: [ExpectedFinding(ruleID: "DIO010", inode: 1, task: task, line: 3)],
                                                reports: [], allowsOtherFindings: false, allowsOtherReports: false, headerComments: [])
            let text = ExpectationsParser.render(expectations)
            XCTAssertTrue(text.contains("task=\""), text.debugDescription)
            XCTAssertEqual(try ExpectationsParser.parse(text, file: "expect.txt").findings.first?.task, task)
        }
    }
}
