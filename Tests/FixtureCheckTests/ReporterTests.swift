import BtrfsAccounting
import FixtureCheck
import Foundation
import XCTest

final class ReporterTests: XCTestCase {
    private var schemaPath: String { packageRoot + "/Fixtures/schemas/sarif-schema-2.1.0.json" }

    private func makeSuites() -> [CheckSuite] {
        let base = "Fixtures/cases"
        func result(_ name: String, _ outcome: CaseOutcome, _ duration: Double, report: AnalysisReport? = nil) -> CaseResult {
            CaseResult(fixtureCase: FixtureCase(directory: base + "/" + name, root: base, name: name), outcome: outcome,
                       duration: duration, report: report)
        }
        let leak = makeFinding(.leakAtEvictOutstandingExtents, inode: 257, file: base + "/efault/trace.txt")
        return [
            CheckSuite(root: base, results: [
                result("efault", .passed, 0.0123, report: makeReport([leak], inputs: [base + "/efault/trace.txt"])),
                result("splice <&>", .failed(["missing: finding DIO001 inode=257  (expect.txt:3)", "unexpected: report \"a<b & 'c'\""]), 1.5),
                result("broken", .error("Fixtures/cases/broken/expect.txt:2: unknown directive 'x\u{1}'"), 0),
            ]),
            CheckSuite(root: "More/", results: [result("one", .updated(["missing: report \"W\""]), 0.25)]),
        ]
    }

    func testJUnitShapeAndEscaping() {
        let xml = JUnitReporter.document(for: makeSuites())
        XCTAssertTrue(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"dio-trace check\" tests=\"4\" failures=\"2\" errors=\"1\" time=\"1.762\">\n"))
        XCTAssertTrue(xml.contains("<testsuite name=\"Fixtures/cases\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\" time=\"1.512\">"))
        XCTAssertTrue(xml.contains("<testcase classname=\"dio-trace.check.Fixtures.cases\" name=\"efault\" file=\"Fixtures/cases/efault/expect.txt\" time=\"0.012\"/>"))
        XCTAssertTrue(xml.contains("name=\"splice &lt;&amp;&gt;\""))
        XCTAssertTrue(xml.contains("unexpected: report &quot;a&lt;b &amp; &apos;c&apos;&quot;"))
        XCTAssertTrue(xml.contains("&#10;"))
        XCTAssertFalse(xml.contains("\u{1}"), "control characters are not XML 1.0")
        XCTAssertTrue(xml.hasSuffix("</testsuites>\n"))
    }

    /// The JUnit file as a real consumer (junitparser) reads it.
    func testJUnitReadByJunitparser() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/junit.xml"
        try write(JUnitReporter.document(for: makeSuites()), to: path)
        // Well-formed XML 1.0 for libxml2 too.
        let xmllint = try runProcess("/usr/bin/env", ["xmllint", "--noout", path])
        XCTAssertEqual(xmllint.status, 0, "xmllint: \(xmllint.stderr)")
        let parsed = try readWithJunitparser(path)
        let suites = try XCTUnwrap(parsed["suites"] as? [[String: Any]])
        XCTAssertEqual(suites.map { $0["name"] as? String }, ["Fixtures/cases", "More/"])
        XCTAssertEqual(suites.map { $0["tests"] as? Int }, [3, 1])
        XCTAssertEqual(suites.map { $0["failures"] as? Int }, [1, 1])
        XCTAssertEqual(suites.map { $0["errors"] as? Int }, [1, 0])
        let cases = try XCTUnwrap(suites[0]["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.map { $0["name"] as? String }, ["efault", "splice <&>", "broken"])
        XCTAssertEqual(cases.map { $0["result"] as? String }, ["passed", "failure", "error"])
        XCTAssertEqual(cases.map { $0["time"] as? Double }, [0.012, 1.5, 0])
        XCTAssertEqual(cases[1]["text"] as? String,
                       "missing: finding DIO001 inode=257  (expect.txt:3)\nunexpected: report \"a<b & 'c'\"")
        XCTAssertEqual(cases[1]["message"] as? String, "2 differences from expect.txt")
        XCTAssertEqual(cases[2]["message"] as? String, "Fixtures/cases/broken/expect.txt:2: unknown directive 'x\u{FFFD}'")
        XCTAssertEqual(cases[0]["classname"] as? String, "dio-trace.check.Fixtures.cases")
    }

    func testSARIFStructure() throws {
        let leak = makeFinding(.leakAtEvictOutstandingExtents, inode: 257, file: "./traces/run 1.txt", events: 3)
        var unmount = makeFinding(.heldAtUnmount, inode: nil, events: 0, message: "bytes_may_use 4096 after umount")
        unmount.io = nil
        let text = SARIFReporter.document(for: makeReport([leak, unmount], inputs: ["./traces/run 1.txt", "/abs/other.txt"]))
        XCTAssertEqual(text, sarifDocument(for: makeReport([leak, unmount], inputs: ["./traces/run 1.txt", "/abs/other.txt"])),
                       "deterministic")
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(log["version"] as? String, "2.1.0")
        let runs = try XCTUnwrap(log["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 1)
        let driver = try XCTUnwrap((runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertEqual(driver["name"] as? String, "dio-trace")
        let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.map { $0["id"] as? String }, Rule.all.map(\.id))
        XCTAssertEqual((rules[0]["help"] as? [String: Any])?["text"] as? String, Rule.all[0].help)
        XCTAssertEqual((rules[0]["fullDescription"] as? [String: Any])?["text"] as? String, Rule.all[0].fullDescription)
        XCTAssertEqual((rules[3]["defaultConfiguration"] as? [String: Any])?["level"] as? String, "note") // DIO004 is a note
        let artifacts = try XCTUnwrap(runs[0]["artifacts"] as? [[String: Any]])
        XCTAssertEqual(artifacts.map { ($0["location"] as? [String: Any])?["uri"] as? String },
                       ["traces/run%201.txt", "file:///abs/other.txt"])
        let results = try XCTUnwrap(runs[0]["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["ruleId"] as? String }, ["DIO001", "DIO020"])
        XCTAssertEqual(results.map { $0["ruleIndex"] as? Int }, [0, 5])
        XCTAssertEqual(results.map { $0["level"] as? String }, ["error", "error"])
        let location = try XCTUnwrap((results[0]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        XCTAssertEqual((location["artifactLocation"] as? [String: Any])?["uri"] as? String, "traces/run%201.txt")
        XCTAssertEqual((location["region"] as? [String: Any])?["startLine"] as? Int, 10)
        let related = try XCTUnwrap(results[0]["relatedLocations"] as? [[String: Any]])
        XCTAssertEqual(related.map { $0["id"] as? Int }, [1, 2])
        XCTAssertEqual(related.map { (($0["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])?["startLine"] as? Int }, [15, 20])
        XCTAssertEqual((related[0]["message"] as? [String: Any])?["text"] as? String, "btrfs_inode_evict by fio-812 at 5123.000452")
        let properties = try XCTUnwrap(results[0]["properties"] as? [String: Any])
        XCTAssertEqual(properties["inode"] as? Int, 257)
        XCTAssertEqual(properties["root"] as? Int, 5)
        XCTAssertEqual(properties["filesystem"] as? String, "0fcf8427-9ad4-4ce5-b75e-e7710cafd5f1")
        XCTAssertEqual((properties["io"] as? [String: Any])?["task"] as? String, "fio")
        // A finding without events points at the first input.
        XCTAssertNotNil(results[1]["locations"])
        XCTAssertNil(results[1]["relatedLocations"])
        try validateSARIF(text)
    }

    func testSARIFOfCheckRunAndEmptyRunValidate() throws {
        try validateSARIF(SARIFReporter.document(for: makeSuites()))
        try validateSARIF(SARIFReporter.document(for: makeReport([], inputs: [])))
        for rule in Rule.all {
            try validateSARIF(SARIFReporter.document(for: makeReport([makeFinding(rule, inode: 1, events: 2)])))
        }
    }

    /// The validator rejects what it should: the check is real.
    func testSchemaValidatorRejectsBrokenSARIF() throws {
        let broken = SARIFReporter.document(for: makeReport([makeFinding(.dataLoss, inode: nil)]))
            .replacingOccurrences(of: "\"level\" : \"warning\"", with: "\"level\" : \"fatal\"")
        XCTAssertNotEqual(try runValidator(broken).status, 0)
    }

    // MARK: - helpers

    private func readWithJunitparser(_ path: String) throws -> [String: Any] {
        let output = try runPython("validate-junit.py", [path])
        XCTAssertEqual(output.status, 0, "junitparser could not read the file (pip install junitparser): \(output.stderr)")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    private func runValidator(_ text: String) throws -> ProcessOutput {
        let directory = try makeTemporaryDirectory(self)
        try write(text, to: directory + "/out.sarif")
        return try runPython("validate-sarif.py", [schemaPath, directory + "/out.sarif"])
    }

    private func validateSARIF(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let output = try runValidator(text)
        XCTAssertEqual(output.status, 0, "SARIF schema validation failed:\n\(output.stdout)\(output.stderr)", file: file, line: line)
    }
}
