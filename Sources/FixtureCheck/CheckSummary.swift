/// The console lines of a `check` run: one per case, then a summary.
public enum CheckSummary {
    /// `PASS  Fixtures/cases/nocow-dio`, `FAIL  ... : missing: ...; unexpected: ...`, `ERROR ... : reason`.
    public static func line(for result: CaseResult) -> String {
        let path = result.fixtureCase.directory
        switch result.outcome {
        case .passed: return "PASS    \(path)"
        case .failed(let differences): return "FAIL    \(path): \(differences.joined(separator: "; "))"
        case .error(let message): return "ERROR   \(path): \(message)"
        case .updated(let differences):
            return "UPDATED \(path): rewrote \(FixtureCase.expectationsFileName) (was: \(differences.joined(separator: "; ")))"
        }
    }

    /// `check: 5 cases, 3 passed, 1 failed, 1 error`.
    public static func summary(for suites: [CheckSuite]) -> String {
        let results = suites.flatMap(\.results)
        var passed = 0, failed = 0, errors = 0, updated = 0
        for result in results {
            switch result.outcome {
            case .passed: passed += 1
            case .failed: failed += 1
            case .error: errors += 1
            case .updated: updated += 1
            }
        }
        var text = "check: \(results.count) case\(results.count == 1 ? "" : "s"), \(passed) passed, \(failed) failed, "
            + "\(errors) error\(errors == 1 ? "" : "s")"
        if updated > 0 { text += ", \(updated) UPDATED" }
        return text
    }

    /// True when every case passed.
    public static func allPassed(_ suites: [CheckSuite]) -> Bool {
        suites.allSatisfy { $0.results.allSatisfy { $0.outcome == .passed } }
    }

    /// The number of expectation files `--update` rewrote.
    public static func updatedCount(_ suites: [CheckSuite]) -> Int {
        suites.flatMap(\.results).filter { if case .updated = $0.outcome { true } else { false } }.count
    }
}
