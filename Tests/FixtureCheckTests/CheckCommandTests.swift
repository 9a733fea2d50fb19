import FixtureCheck
import Foundation
import XCTest

/// Runs the built `dio-trace check` end to end: exit codes, output lines, files.
final class CheckCommandTests: XCTestCase {
    /// The project's own fixtures are regression tests: `dio-trace check Fixtures/` must pass.
    func testProjectFixturesPass() throws {
        let output = try runProcess(try dioTraceBinary(), ["check", "Fixtures/"])
        XCTAssertEqual(output.status, 0, "dio-trace check Fixtures/ failed:\n\(output.stdout)\(output.stderr)")
        XCTAssertTrue(output.stdout.contains(" 0 failed, 0 errors"), output.stdout)
        XCTAssertFalse(output.stdout.contains("FAIL"), output.stdout)
    }

    /// The same through the library, so the fixtures are checked even where the binary is not built.
    func testProjectFixturesPassInProcess() throws {
        let suites = try CaseRunner(traceDat: TraceDatEventStream.opener, reportTitles: KernelLogTitles.decoder).run(roots: [packageRoot + "/Fixtures"])
        XCTAssertFalse(suites[0].results.isEmpty)
        for result in suites.flatMap(\.results) {
            XCTAssertEqual(result.outcome, .passed, CheckSummary.line(for: result))
        }
    }

    private func makeCases() throws -> String {
        let root = try makeTemporaryDirectory(self)
        for name in ["pass", "fail", "error"] {
            try FileManager.default.createDirectory(atPath: root + "/suite/" + name, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: sampleTracePath, toPath: root + "/suite/pass/trace.txt")
        try write("", to: root + "/suite/pass/expect.txt")
        try FileManager.default.copyItem(atPath: sampleTracePath, toPath: root + "/suite/fail/trace.txt")
        try write("finding DIO001 inode=257 severity=error\n", to: root + "/suite/fail/expect.txt")
        try write("finding DIO001\n", to: root + "/suite/error/expect.txt")
        return root
    }

    func testExitCodesLinesAndReports() throws {
        let root = try makeCases()
        let output = try runProcess(try dioTraceBinary(), ["check", "suite", "--jobs", "2", "--junit", "out/junit.xml", "--sarif", "out.sarif"],
                                    in: root)
        // --junit into a missing directory is a usage error; create it and retry.
        XCTAssertEqual(output.status, 2, output.stdout + output.stderr)
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
        let run = try runProcess(try dioTraceBinary(), ["check", "suite", "--jobs", "2", "--junit", "out/junit.xml", "--sarif", "out.sarif"],
                                 in: root)
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertEqual(run.stdout, """
            ERROR   suite/error: suite/error/expect.txt:1: missing inode=N (inode=- for findings without an inode)
            FAIL    suite/fail: missing: finding DIO001 inode=257 severity=error  (expect.txt:1)
            PASS    suite/pass
            check: 3 cases, 1 passed, 1 failed, 1 error

            """)
        let junit = try runPython("validate-junit.py", [root + "/out/junit.xml"])
        XCTAssertEqual(junit.status, 0, junit.stderr)
        XCTAssertTrue(junit.stdout.contains("\"name\": \"suite\""), junit.stdout)
        let sarif = try runPython("validate-sarif.py", [packageRoot + "/Fixtures/schemas/sarif-schema-2.1.0.json", root + "/out.sarif"])
        XCTAssertEqual(sarif.status, 0, sarif.stdout + sarif.stderr)
    }

    func testUsageErrorsExitTwo() throws {
        let binary = try dioTraceBinary()
        let root = try makeTemporaryDirectory(self)
        for arguments in [["check"], ["check", root + "/missing"], ["check", root], ["check", "--jobs", "0", packageRoot + "/Fixtures"]] {
            let output = try runProcess(binary, arguments)
            XCTAssertEqual(output.status, 2, "\(arguments): \(output.stderr)")
            XCTAssertTrue(output.stderr.hasPrefix("error: "), output.stderr)
        }
    }

    func testUpdateIsLoudAndFailsTheRun() throws {
        let root = try makeCases()
        try FileManager.default.removeItem(atPath: root + "/suite/error")
        let output = try runProcess(try dioTraceBinary(), ["check", "--update", "suite"], in: root)
        XCTAssertEqual(output.status, 1, output.stdout + output.stderr)
        XCTAssertTrue(output.stdout.contains("UPDATED suite/fail: rewrote expect.txt"), output.stdout)
        XCTAssertTrue(output.stderr.contains("--update REWROTE 1 EXPECTATION FILE"), output.stderr)
        let again = try runProcess(try dioTraceBinary(), ["check", "suite"], in: root)
        XCTAssertEqual(again.status, 0, again.stdout)
    }
}

/// Item 7: a case that crashes the analysis is an error for that case; the others still run.
final class CrashIsolationTests: XCTestCase {
    func testCrashingCaseIsAnErrorAndTheOthersRun() throws {
        let root = try makeTemporaryDirectory(self)
        for name in ["a", "b-crashes", "c"] {
            try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: sampleTracePath, toPath: root + "/" + name + "/trace.txt")
            try write("", to: root + "/" + name + "/expect.txt")
        }
        let binary = try dioTraceBinary()
        setenv("DIO_TRACE_CHECK_TEST_CRASH", "b-crashes", 1)
        defer { unsetenv("DIO_TRACE_CHECK_TEST_CRASH") }
        let output = try runProcess(binary, ["check", "--jobs", "2", "."], in: root)
        XCTAssertEqual(output.status, 1, output.stdout + output.stderr)
        let lines = output.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, output.stdout)
        XCTAssertEqual(lines[0], "PASS    ./a")
        XCTAssertTrue(lines[1].hasPrefix("ERROR   ./b-crashes: the analysis crashed (signal "), lines[1])
        XCTAssertTrue(lines[1].contains("DIO_TRACE_CHECK_TEST_CRASH: crashing on case b-crashes"), lines[1])
        XCTAssertEqual(lines[2], "PASS    ./c")
        XCTAssertEqual(lines[3], "check: 3 cases, 2 passed, 0 failed, 1 error")
    }
}
