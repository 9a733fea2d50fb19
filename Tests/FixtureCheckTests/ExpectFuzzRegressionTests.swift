import FixtureCheck
import XCTest

/// Replays the reproducers the Fuzz/ target `expect` found (Fuzz/regressions/expect/) through
/// the property it checks: what parses renders to a file that parses back to the same
/// expectations (line numbers aside), and rendering that again gives the same text.
final class ExpectFuzzRegressionTests: XCTestCase {
    func testEveryExpectReproducerRoundTrips() throws {
        let directory = packageRoot + "/Fuzz/regressions/expect"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertFalse(names.isEmpty, "no reproducers in \(directory)")
        for name in names {
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: directory + "/" + name))
            guard let parsed = try? ExpectationsParser.parse(String(decoding: bytes, as: UTF8.self), file: name) else { continue }
            let rendered = ExpectationsParser.render(parsed)
            let reparsed = try ExpectationsParser.parse(rendered, file: name + " (rendered)")
            XCTAssertEqual(withoutLines(reparsed), withoutLines(parsed), "\(name): the round trip changed it:\n\(rendered)")
            XCTAssertEqual(ExpectationsParser.render(reparsed), rendered, "\(name): rendering is not stable")
        }
    }

    /// A header comment ending in a lone carriage return (here at the end of the file), or in several, was kept
    /// with it; `--update` then wrote "\r\n", read back as a line end, and the comment changed.
    func testCarriageReturnEndingALineIsALineEnd() throws {
        let parsed = try ExpectationsParser.parse("# a case\r", file: "expect.txt")
        XCTAssertEqual(parsed.headerComments, ["# a case"])
        // Several: each round trip used to drop one.
        XCTAssertEqual(try ExpectationsParser.parse("# a case\r\r\r\nreport \"x\"\n", file: "expect.txt").headerComments, ["# a case"])
        let finding = try ExpectationsParser.parse("finding DIO010 inode=258\r", file: "expect.txt")
        XCTAssertEqual(finding.findings.first?.inode, 258)
    }

    private func withoutLines(_ expectations: CaseExpectations) -> CaseExpectations {
        var copy = expectations
        copy.findings = copy.findings.map { var f = $0; f.line = 0; return f }
        copy.reports = copy.reports.map { var r = $0; r.line = 0; return r }
        return copy
    }
}
