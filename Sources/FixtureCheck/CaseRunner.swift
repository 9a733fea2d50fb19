public import BtrfsAccounting
public import TraceInput
import Foundation

/// Decodes the kernel reports of a kernel log (`dmesg`) into their titles, in log order.
/// Injected so FixtureCheck does not fix the decoder; the executable passes KernelLog's.
public typealias ReportTitleDecoder = @Sendable (_ logPath: String) throws -> [String]

/// What happened to one case.
public enum CaseOutcome: Sendable, Equatable {
    case passed
    /// The differences, one line each.
    case failed([String])
    /// The case could not be run (no trace, bad expectations, unreadable input, ...).
    case error(String)
    /// `--update` rewrote the expectations; the differences that made it do so.
    case updated([String])
}

/// The result of one case.
public struct CaseResult: Sendable {
    public var fixtureCase: FixtureCase
    public var outcome: CaseOutcome
    /// Wall time in seconds.
    public var duration: Double
    /// The analysis, when it ran.
    public var report: AnalysisReport?
    public var reportTitles: [String]

    public init(fixtureCase: FixtureCase, outcome: CaseOutcome, duration: Double, report: AnalysisReport? = nil,
                reportTitles: [String] = []) {
        self.fixtureCase = fixtureCase
        self.outcome = outcome
        self.duration = duration
        self.report = report
        self.reportTitles = reportTitles
    }
}

/// The cases found under one directory given to `check`, with their results.
public struct CheckSuite: Sendable {
    public var root: String
    public var results: [CaseResult]

    public init(root: String, results: [CaseResult]) {
        self.root = root
        self.results = results
    }
}

/// Runs cases in parallel and compares each with its expectations.
public struct CaseRunner: Sendable {
    /// Cases run at the same time (at least 1).
    public var jobs: Int
    /// Rewrite the expectations of failing cases from what was found.
    public var update: Bool
    public var traceDat: Analysis.TraceDatOpener?
    public var reportTitles: ReportTitleDecoder?
    public var isolation: Isolation
    /// Counts finished cases, their trace bytes and events, for a progress display.
    public var progress: ProgressCounter?

    /// Where a case runs.
    public enum Isolation: Sendable, Equatable {
        /// In this process: fast, but a crash of the analysis ends the whole run.
        case inProcess
        /// In a child process started as `command + [directory, root, name]`, which must print
        /// `runAsChild(_:)`'s JSON and exit 0. A crash becomes an error for that case only.
        case childProcess(command: [String])
    }

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, update: Bool = false,
                traceDat: Analysis.TraceDatOpener? = nil, reportTitles: ReportTitleDecoder? = nil,
                isolation: Isolation = .inProcess) {
        self.jobs = max(1, jobs)
        self.update = update
        self.traceDat = traceDat
        self.reportTitles = reportTitles
        self.isolation = isolation
    }

    /// Finds the cases under every root and runs them all in one pool; suites and cases keep
    /// the order of `roots` and of case paths whatever order the cases finish in.
    /// - Throws: `CheckUsageError` when a root is not a directory or holds no case.
    public func run(roots: [String]) throws(CheckUsageError) -> [CheckSuite] {
        var casesByRoot: [[FixtureCase]] = []
        for root in roots {
            let cases = try CaseDiscovery.cases(under: root)
            if cases.isEmpty { throw CheckUsageError(message: "\(root): no case found (a case is a directory with expect.txt)") }
            casesByRoot.append(cases)
        }
        let results = run(casesByRoot.flatMap { $0 })
        var suites: [CheckSuite] = []
        var offset = 0
        for (root, cases) in zip(roots, casesByRoot) {
            suites.append(CheckSuite(root: cases.first?.root ?? root, results: Array(results[offset ..< offset + cases.count])))
            offset += cases.count
        }
        return suites
    }

    /// Runs `cases` on `jobs` workers; the results are in the order of `cases`.
    public func run(_ cases: [FixtureCase]) -> [CaseResult] {
        let collector = ResultCollector(count: cases.count)
        let workers = min(jobs, max(1, cases.count))
        let sizes = progress == nil ? [] : cases.map(Self.traceBytes(of:))
        progress?.setTotals(bytes: sizes.reduce(0, +), items: cases.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = collector.nextIndex() {
                let result = run(cases[index])
                collector.store(result, at: index)
                progress?.finishItem(size: sizes[index], events: Int(result.report?.statistics.events ?? 0))
            }
        }
        return collector.results.map { $0! }
    }

    /// Runs one case. Never throws: every problem becomes `.error`.
    public func run(_ fixtureCase: FixtureCase) -> CaseResult {
        if case .childProcess(let command) = isolation { return runInChild(fixtureCase, command: command) }
        let start = ContinuousClock.now
        var result = CaseResult(fixtureCase: fixtureCase, outcome: .passed, duration: 0)
        do {
            let expectations = try loadExpectations(fixtureCase)
            let files = try CaseDiscovery.files(of: fixtureCase)
            let report = try Analysis.run(paths: files.traces, traceDat: traceDat)
            result.report = report
            result.reportTitles = try decodeReports(files.kernelLogs)
            let differences = CaseComparison.differences(expected: expectations, findings: report.findings,
                                                         reportTitles: result.reportTitles)
            if differences.isEmpty {
                result.outcome = .passed
            } else if update {
                try rewrite(fixtureCase, keeping: expectations, report: report, reportTitles: result.reportTitles)
                result.outcome = .updated(differences)
            } else {
                result.outcome = .failed(differences)
            }
        } catch {
            result.outcome = .error(String(describing: error))
        }
        result.duration = seconds(since: start)
        return result
    }

    /// The stored size of a case's traces (0 when its directory cannot be listed: running it says why).
    private static func traceBytes(of fixtureCase: FixtureCase) -> Int {
        guard let files = try? CaseDiscovery.files(of: fixtureCase) else { return 0 }
        return files.traces.reduce(0) { $0 + ProgressCounter.storedSize(of: $1) }
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func runInChild(_ fixtureCase: FixtureCase, command: [String]) -> CaseResult {
        let start = ContinuousClock.now
        let outcome: CaseOutcome
        do {
            let output = try ChildProcess.run(command + [fixtureCase.directory, fixtureCase.root, fixtureCase.name])
            let duration = seconds(since: start)
            if output.termination == .exited(0),
               let result = Self.decodeChildOutput(output.stdout, for: fixtureCase, duration: duration) {
                return result
            }
            let what: String
            switch output.termination {
            case .signaled(let signal): what = "crashed (signal \(signal), \(String(cString: strsignal(signal))))"
            case .exited(let status): what = "exited with status \(status) without a result"
            }
            // The runtime's "Fatal error: ..." line says why; the backtrace after it is noise here.
            let lines = String(decoding: output.stderr, as: UTF8.self).split(separator: "\n")
            let reason = lines.first { $0.contains("Fatal error") || $0.contains("fatal error") } ?? lines.first
            outcome = .error("the analysis \(what) on this case" + (reason.map { ": " + $0 } ?? ""))
        } catch {
            outcome = .error(String(describing: error))
        }
        return CaseResult(fixtureCase: fixtureCase, outcome: outcome, duration: seconds(since: start))
    }

    private func loadExpectations(_ fixtureCase: FixtureCase) throws -> CaseExpectations {
        let path = fixtureCase.expectationsPath
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
              let data = FileManager.default.contents(atPath: path) else {
            throw CaseError("\(path): cannot read the expectations file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw CaseError("\(path): not UTF-8 text") }
        return try ExpectationsParser.parse(text, file: path)
    }

    private func decodeReports(_ logs: [String]) throws -> [String] {
        guard !logs.isEmpty else { return [] }
        guard let reportTitles else {
            throw CaseError("\(logs[0]): this build cannot decode kernel logs")
        }
        return try logs.flatMap { try reportTitles($0) }
    }

    private func rewrite(_ fixtureCase: FixtureCase, keeping old: CaseExpectations, report: AnalysisReport,
                         reportTitles: [String]) throws {
        var updated = old
        updated.findings = report.findings.map(CaseComparison.expectation(describing:))
        updated.reports = reportTitles.map { ExpectedReport(title: $0) }
        let text = ExpectationsParser.render(updated)
        guard FileManager.default.createFile(atPath: fixtureCase.expectationsPath, contents: Data(text.utf8)) else {
            throw CaseError("\(fixtureCase.expectationsPath): cannot write the updated expectations")
        }
    }
}

/// Hands out case indices to workers and keeps results in case order.
private final class ResultCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private(set) var results: [CaseResult?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func nextIndex() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < results.count else { return nil }
        defer { next += 1 }
        return next
    }

    func store(_ result: CaseResult, at index: Int) {
        lock.lock(); defer { lock.unlock() }
        results[index] = result
    }
}
