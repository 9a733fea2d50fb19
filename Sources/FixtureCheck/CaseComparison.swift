public import BtrfsAccounting

/// Compares what a case found with what its expectations require.
public enum CaseComparison {
    /// The differences, one human-readable line each; empty when the case passes.
    ///
    /// Each expected finding must be satisfied by a different actual finding (a maximum bipartite
    /// matching, so the order of lines does not matter); expected report titles are a multiset.
    public static func differences(expected: CaseExpectations, findings: [Finding], reportTitles: [String]) -> [String] {
        var lines: [String] = []
        let match = matching(expected.findings, findings)
        for (index, expectation) in expected.findings.enumerated() where match.expectedToActual[index] == nil {
            lines.append("missing: \(expectation.text)  (expect.txt:\(expectation.line))")
        }
        if !expected.allowsOtherFindings {
            for (index, finding) in findings.enumerated() where !match.matchedActual.contains(index) {
                lines.append("unexpected: \(expectation(describing: finding).text)\(origin(of: finding))")
            }
        }
        var remaining = reportTitles
        for report in expected.reports {
            if let index = remaining.firstIndex(of: report.title) { remaining.remove(at: index) }
            else { lines.append("missing: \(report.text)  (expect.txt:\(report.line))") }
        }
        if !expected.allowsOtherReports {
            lines += remaining.map { "unexpected: \(ExpectedReport(title: $0).text)" }
        }
        return lines
    }

    /// The most specific expectation `finding` satisfies: what `--update` writes.
    public static func expectation(describing finding: Finding) -> ExpectedFinding {
        ExpectedFinding(ruleID: finding.rule.id, inode: finding.inode, severity: finding.severity, root: finding.root,
                        task: finding.io?.task, pid: finding.io?.pid)
    }

    private static func origin(of finding: Finding) -> String {
        guard let event = finding.events.first else { return "" }
        return "  (\(event.file):\(event.line))"
    }

    /// Kuhn's augmenting-path matching of expectations to findings.
    private static func matching(_ expected: [ExpectedFinding], _ actual: [Finding])
        -> (expectedToActual: [Int?], matchedActual: Set<Int>) {
        let candidates = expected.map { expectation in actual.indices.filter { expectation.isSatisfied(by: actual[$0]) } }
        var actualToExpected: [Int: Int] = [:]
        func augment(_ e: Int, _ visited: inout Set<Int>) -> Bool {
            for a in candidates[e] where visited.insert(a).inserted {
                if let other = actualToExpected[a] {
                    if !augment(other, &visited) { continue }
                }
                actualToExpected[a] = e
                return true
            }
            return false
        }
        for e in expected.indices {
            var visited: Set<Int> = []
            _ = augment(e, &visited)
        }
        var expectedToActual = [Int?](repeating: nil, count: expected.count)
        for (a, e) in actualToExpected { expectedToActual[e] = a }
        return (expectedToActual, Set(actualToExpected.keys))
    }
}
