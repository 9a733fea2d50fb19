import BtrfsAccounting
import FixtureCheck
import Foundation
import KernelLog
import ReportOutput
import TraceEvents
import XCTest

/// Every JSON output escapes strings with the one function (JSONWriter.escape) and is valid JSON.
final class JSONEscapingTests: XCTestCase {
    /// Every C0 control character, DEL, quote, backslash and non-ASCII text.
    static let nasty = String(String.UnicodeScalarView((0..<0x20).compactMap(UnicodeScalar.init) + ["\u{7F}", "\"", "\\", "é", "→"]))

    func testEscapeSpellsControlsAndDEL() {
        XCTAssertEqual(JSONWriter.escape("a\u{7F}b"), #""a\u007fb""#)
        XCTAssertEqual(JSONWriter.escape("\u{1}\n\t\r\"\\"), #""\u0001\n\t\r\"\\""#)
        XCTAssertEqual(JSONWriter.escape("é"), "\"é\"")
        let escaped = JSONWriter.escape(Self.nasty)
        XCTAssertFalse(escaped.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, escaped)
    }

    func testPrettyAndCompactLayoutsParseAlike() throws {
        for layout in [JSONWriter.Layout.compact, .pretty] {
            var w = JSONWriter(layout: layout)
            w.object { w in
                w.string("s", Self.nasty)
                w.array("empty") { _ in }
                w.object("o") { w in w.int("n", -1); w.null("z") }
            }
            let value = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(w.output.utf8)) as? [String: Any])
            XCTAssertEqual(value["s"] as? String, Self.nasty)
            XCTAssertEqual((value["empty"] as? [Any])?.count, 0)
        }
    }

    /// The analysis JSON, SARIF, Perfetto, KernelLog JSON and HTML's embedded data all spell the
    /// same string the same way.
    func testAllJSONOutputsEscapeIdentically() throws {
        let expected = JSONWriter.escape(Self.nasty)
        let ref = EventReference(file: "t\u{7F}.txt", line: 3, timestamp: 1_000, task: Self.nasty, pid: 7, event: "btrfs_inode_evict")
        var finding = Finding(rule: .leakAtEvictMetadata, filesystem: nil, root: 5, inode: 9, amount: 4096,
                              message: Self.nasty, events: [ref])
        finding.io = nil
        let report = AnalysisReport(inputs: ["t\u{7F}.txt"], findings: [finding], statistics: TraceStatistics(), inodes: [], generations: [])
        let outputs: [(String, String)] = [
            ("json", JSONReport.render(report)),
            ("sarif", SARIFReporter.render(report)),
            ("perfetto", PerfettoReport.render(report)),
            ("decode-json", JSONRenderer.render([KernelReport(kind: .warning, title: Self.nasty)])),
        ]
        for (name, text) in outputs {
            XCTAssertTrue(text.contains(expected), "\(name) does not use JSONWriter.escape")
            XCTAssertFalse(text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }, "\(name) has a raw control character")
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(text.utf8)), name)
            try validateWithPython(text, name)
        }
        let html = HTMLReport.render(report)
        XCTAssertTrue(html.contains(HTMLReport.scriptSafe(expected)), "HTML data is not JSONWriter's")
    }

    /// python3's json module (strict) parses the output.
    private func validateWithPython(_ text: String, _ name: String) throws {
        let result = try runPython(on: text, ["-c", "import json,sys; json.load(open(sys.argv[1], encoding='utf-8'), strict=True)"])
        XCTAssertEqual(result.status, 0, "\(name): python3 json rejected the output")
    }
}
