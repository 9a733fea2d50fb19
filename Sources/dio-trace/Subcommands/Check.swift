import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import FixtureCheck
import Foundation

/// `dio-trace check DIR...`: run every fixture case under the directories and compare.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the fixture cases under the directories and compare their findings with expect.txt.",
        discussion: """
            A case is a directory holding expect.txt, one or more traces and optionally a kernel log \
            (dmesg*, *.log). Prints one line per case and a summary.
            Exit status: 0 every case passed; 1 a case failed, could not run, or --update rewrote \
            expectations; 2 usage error.
            """)

    @Argument(help: "Directories to search for cases (recursively).")
    var directories: [String] = []

    @Option(name: .customLong("junit"), help: ArgumentHelp("Write JUnit XML to this file.", valueName: "file"))
    var junitPath: String?

    @Option(name: .customLong("sarif"), help: ArgumentHelp("Write the findings of all cases as SARIF 2.1.0 to this file.", valueName: "file"))
    var sarifPath: String?

    @Flag(help: "Rewrite expect.txt of every failing case from what was found (review the diff!).")
    var update = false

    @Option(help: "Cases run at the same time (default: the number of cores).")
    var jobs: Int?

    @Flag(name: .shortAndLong, help: "No progress line on standard error (there is none unless it is a terminal).")
    var quiet = false

    @Flag(help: ArgumentHelp("Run the cases in this process instead of one child process each.", visibility: .hidden))
    var inProcess = false

    /// Internal: run one case (`DIR ROOT NAME`) and print its result as JSON for the parent `check`.
    @Flag(help: ArgumentHelp(visibility: .private))
    var child = false

    func run() throws {
        guard !directories.isEmpty else { throw usage("give at least one directory: dio-trace check DIR...") }
        if let jobs, jobs < 1 { throw usage("--jobs must be at least 1") }
        var runner = CaseRunner(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, update: update,
                                traceDat: TraceDatSupport.opener, reportTitles: KernelLogTitles.decoder)
        if child { return try runChild(runner) }
        if !inProcess, let executable = Self.executablePath {
            runner.isolation = .childProcess(command: [executable, "check", "--child"] + (update ? ["--update"] : []))
        }
        let progress = ProgressLine(label: "check", quiet: quiet)
        runner.progress = progress.counter
        let suites: [CheckSuite]
        do {
            defer { progress.finish() }
            suites = try runner.run(roots: directories)
        } catch { throw usage(error.message) }
        let style = TerminalStyle.forDescriptor(1)
        for result in suites.flatMap(\.results) { print(style.paint(CheckSummary.line(for: result))) }
        print(CheckSummary.summary(for: suites))
        if let junitPath { try write(JUnitReporter.document(for: suites), to: junitPath) }
        if let sarifPath { try write(SARIFReporter.document(for: suites), to: sarifPath) }
        let updated = CheckSummary.updatedCount(suites)
        if updated > 0 {
            let banner = String(repeating: "*", count: 72)
            FileHandle.standardError.write(Data("""
                \(banner)
                *** --update REWROTE \(updated) EXPECTATION FILE\(updated == 1 ? "" : "S") (expect.txt).
                *** Review every change with `git diff` before committing it.
                \(banner)

                """.utf8))
        }
        if !CheckSummary.allPassed(suites) { throw ExitCode(1) }
    }

    private func runChild(_ runner: CaseRunner) throws {
        guard directories.count == 3 else { throw usage("--child takes DIR ROOT NAME") }
        let fixtureCase = FixtureCase(directory: directories[0], root: directories[1], name: directories[2])
        // Test hook: lets the tests prove that a crashing case does not stop the others.
        if ProcessInfo.processInfo.environment["DIO_TRACE_CHECK_TEST_CRASH"] == fixtureCase.name {
            printError("DIO_TRACE_CHECK_TEST_CRASH: crashing on case \(fixtureCase.name) as asked")
            abort()
        }
        print(runner.runAsChild(fixtureCase))
    }

    /// This executable, for the child processes (`/proc/self/exe` on Linux).
    private static var executablePath: String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath
    }

    private func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(2)
    }

    private func write(_ text: String, to path: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
            FileHandle.standardError.write(Data("error: \(path): cannot write: \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
    }
}
