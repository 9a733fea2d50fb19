public import ReportOutput

/// Writes `check` results as JUnit XML: one `<testsuite>` per directory given, one `<testcase>`
/// per case (with its time), `<failure>` carrying the difference and `<error>` the problem.
///
/// The shape is the common Ant/Jenkins/Surefire one that junitparser, GitHub test reporters,
/// GitLab and Jenkins read: `<testsuites>` root with totals, `classname` for grouping.
public enum JUnitReporter: ReportWriter {
    public static let format = "junit"

    /// The XML document, ending in a newline.
    public static func render(_ suites: [CheckSuite]) -> String { document(for: suites) }

    /// The XML document, ending in a newline.
    public static func document(for suites: [CheckSuite]) -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        let all = suites.flatMap(\.results)
        lines.append("<testsuites name=\"dio-trace check\" tests=\"\(all.count)\" failures=\"\(count(all, failures: true))\" "
                     + "errors=\"\(count(all, failures: false))\" time=\"\(seconds(all.map(\.duration).reduce(0, +)))\">")
        for suite in suites {
            let results = suite.results
            lines.append("  <testsuite name=\"\(escape(suite.root))\" tests=\"\(results.count)\" "
                         + "failures=\"\(count(results, failures: true))\" errors=\"\(count(results, failures: false))\" "
                         + "skipped=\"0\" time=\"\(seconds(results.map(\.duration).reduce(0, +)))\">")
            for result in results { lines += testcase(result, suite: suite) }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func testcase(_ result: CaseResult, suite: CheckSuite) -> [String] {
        let open = "    <testcase classname=\"\(escape(className(suite.root)))\" name=\"\(escape(result.fixtureCase.name))\" "
            + "file=\"\(escape(result.fixtureCase.expectationsPath))\" time=\"\(seconds(result.duration))\""
        switch result.outcome {
        case .passed:
            return [open + "/>"]
        case .failed(let differences), .updated(let differences):
            let summary = "\(differences.count) difference\(differences.count == 1 ? "" : "s") from \(FixtureCase.expectationsFileName)"
            return [open + ">",
                    "      <failure message=\"\(escape(summary))\" type=\"ExpectationMismatch\">\(escape(differences.joined(separator: "\n")))</failure>",
                    "    </testcase>"]
        case .error(let message):
            return [open + ">",
                    "      <error message=\"\(escape(message))\" type=\"CaseError\">\(escape(message))</error>",
                    "    </testcase>"]
        }
    }

    private static func count(_ results: [CaseResult], failures: Bool) -> Int {
        results.filter {
            switch $0.outcome {
            case .passed: false
            case .failed, .updated: failures
            case .error: !failures
            }
        }.count
    }

    /// `Fixtures/cases` → `dio-trace.check.Fixtures.cases`.
    static func className(_ root: String) -> String {
        let parts = root.split(separator: "/").filter { $0 != "." && $0 != ".." }
        return (["dio-trace", "check"] + parts.map(String.init)).joined(separator: ".")
    }

    /// Seconds with millisecond precision.
    static func seconds(_ value: Double) -> String {
        let milliseconds = Int((value * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// Escapes text for XML attribute values and content (`MarkupEscaping`, shared with the HTML report).
    public static func escape(_ text: String) -> String { MarkupEscaping.escape(text) }
}
