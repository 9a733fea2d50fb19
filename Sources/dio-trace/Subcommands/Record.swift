import ArgumentParser
import BtrfsAccounting
import FixtureCheck
import LiveTrace
import TraceDat
import TraceEvents
import TraceInput
#if canImport(Glibc)
import Glibc
#endif

/// What `--output` writes.
enum RecordOutputFormat: String, ExpressibleByArgument, CaseIterable {
    /// trace-cmd's trace.dat (version 6), the pages as recorded.
    case dat
    /// `trace-cmd report` of that trace.dat.
    case text
}

/// `dio-trace record [options] [--] COMMAND...`: trace a command on the running kernel from the
/// per-CPU binary ring buffers, analyzing the pages while it runs.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run a command with the btrfs/iomap accounting events enabled and analyze its trace.",
        discussion: """
        Needs root and tracefs. Enables the btrfs and iomap events the ledger decodes (and kprobes on \
        the btrfs direct-I/O functions where the kernel has kprobe events), runs COMMAND while one \
        thread per CPU copies per_cpu/cpuN/trace_pipe_raw (binary ring-buffer pages) to a file and \
        another analyzes those pages as they come, with the result `analyze FILE.dat` gives for the \
        trace.dat written from them (written with --output, or when a record came too late for the \
        live merge: then the file is analyzed after the command instead). Lost events are \
        counted per CPU (page headers and per_cpu/cpuN/stats). The tracing state found (events, \
        filters, options, buffer size, tracing_on) is always restored, also on failure and on \
        SIGINT/SIGTERM (forwarded to the command).

        The command's standard output goes to standard error, so standard output carries only the \
        report. Its exit status is a last line `command: ... exited with status N` in text output, \
        and on standard error in every format.

        Exit status: 0 no finding at or above --fail-on, 1 at least one, 2 not root, no tracefs, \
        command not startable, setup error, or interrupted (the report of what was traced is still printed).
        """)

    @OptionGroup var report: ReportOptions

    @Option(name: .long, help: "Also save the trace to this file: a trace.dat (trace-cmd report reads it), or text with --output-format text.")
    var output: String?

    @Option(name: .customLong("output-format"), help: "What --output holds: dat (trace.dat v6) or text (trace-cmd report of it; needs trace-cmd).")
    var outputFormat: RecordOutputFormat = .dat

    @Option(name: .long, help: "Report only on the btrfs mounted at PATH (statistics still cover the whole trace).")
    var mount: String?

    @Option(name: .customLong("buffer-kb"), help: "Per-CPU ring-buffer size in KiB while recording (default \(RecordSetup.defaultBufferKB)).")
    var bufferKB: Int = RecordSetup.defaultBufferKB

    @Flag(name: .customLong("analyze-after"), help: "Analyze the saved trace.dat after the command exits instead of the pages while it runs (no analysis CPU time during the command; the report is the same).")
    var analyzeAfter = false

    @Argument(parsing: .captureForPassthrough, help: "The command to run (use -- before it when it has options).")
    var command: [String] = []

    mutating func validate() throws {
        if command.first == "--help" || command.first == "-h" { throw CleanExit.helpRequest(self) }
        if command.first == "--" { command.removeFirst() }
        if command.isEmpty { throw ValidationError("no command given (dio-trace record [options] -- COMMAND...)") }
        if bufferKB < 64 { throw ValidationError("--buffer-kb must be at least 64") }
        if outputFormat == .text && output == nil { throw ValidationError("--output-format text needs --output FILE") }
    }

    func run() throws {
        var args = command
        if args.first == "--" { args.removeFirst() }
        guard Tracefs.isRoot else { fail("record needs root to change tracefs state (effective uid \(geteuid()))") }
        if outputFormat == .text && Command.which("trace-cmd") == nil {
            fail("--output-format text: trace-cmd not found in PATH (it renders the trace.dat as text)")
        }
        // The lock first: another recorder may mount or unmount tracefs until it lets go (a second
        // recorder queues here; it used to find tracefs mounted, then gone when the first exited).
        let lock: CaptureLock
        do { lock = try CaptureLock() } catch { fail("record: \(error)") }
        defer { lock.release() }
        let tracefs: Tracefs
        do { tracefs = try Tracefs.writable() } catch { fail("record: \(error)") }
        var fsid: FilesystemID?
        if let mount {
            do {
                fsid = FilesystemID(try BtrfsMount.fsid(of: mount))
            } catch {
                fail("--mount \(mount): \(error)")
            }
        }
        if let output { checkWritable(output) }
        let scratch: String
        do { scratch = try Command.makeTemporaryDirectory(prefix: "dio-trace-record") } catch { fail("record: \(error)") }
        defer { Command.removeTree(scratch) }
        let traceDat = output.flatMap { outputFormat == .dat ? $0 : nil } ?? scratch + "/trace.dat"

        let saved: TracingState
        do { saved = try TracingState.capture(from: tracefs) } catch { fail("record: reading the tracing state: \(error)") }
        InterruptFlag.install()
        let kprobes = Kprobes(tracefs: tracefs)
        let setup = RecordSetup(tracefs: tracefs, kprobes: kprobes, bufferKB: bufferKB)
        let name = output ?? "<trace_pipe_raw>"
        let live = analyzeAfter ? nil : RecordSetup.LiveRequest(name: name, options: analysisOptions)
        let result = Result<RecordSetup.Capture, RecordSetup.Failure> { () throws(RecordSetup.Failure) -> RecordSetup.Capture in
            try setup.capture(args, scratch: scratch, traceDat: traceDat, keepTraceDat: output != nil, live: live)
        }

        // Always: put tracefs back as found, remove our probes, unmount tracefs if we mounted it.
        var restoreProblems: [String] = []
        do { try saved.restore(to: tracefs) } catch { restoreProblems.append("\(error)") }
        restoreProblems += kprobes.remove().map { "could not remove kprobe \($0)" }
        do { try tracefs.unmountIfMountedHere() } catch { restoreProblems.append("\(error)") }
        InterruptFlag.uninstall()
        for p in restoreProblems { printError("record: restoring the tracing state: \(p)") }

        let recorded: RecordSetup.Capture
        switch result {
        case .failure(let failure):
            printError(failure.message)
            throw ExitCode(2)
        case .success(let c):
            recorded = c
        }
        var analysis: AnalysisReport
        do {
            if let output, outputFormat == .text { try renderText(traceDat, to: output) }
            switch recorded.live {
            case .report(let report, _)?:
                analysis = report
                // As `analyze` of the trace.dat names it and counts its bytes.
                analysis.statistics.renameFile(RecordSetup.liveHeader(in: scratch), to: name)
                analysis.statistics.bytes = UInt64(recorded.traceDatSize)
            case .unusable(let why)?:
                printError("record: the analysis made while recording is not used (\(why)); analyzing the saved trace")
                analysis = try analyze(traceDat, capture: recorded, name: name)
            case nil:
                analysis = try analyze(traceDat, capture: recorded, name: name)
            }
        } catch {
            printError(error.message)
            throw ExitCode(2)
        }
        if let fsid { analysis = Record.restrict(analysis, to: fsid) }
        if !recorded.lossByCPU.isEmpty {
            let perCPU = recorded.lossByCPU.sorted { $0.key < $1.key }.map { "cpu\($0.key) \($0.value)" }.joined(separator: ", ")
            printError("record: the ring buffer lost events (\(perCPU)); raise --buffer-kb")
        }
        let statusLine = "command: \(args.joined(separator: " ")) \(recorded.status)"
        printError("record: " + statusLine)
        var exitCode: ExitCode?
        do {
            try emit(analysis, options: report)
        } catch let code as ExitCode {
            if code.rawValue == 2 { throw code }
            exitCode = code
        }
        if report.format == .text { print(statusLine) }
        if InterruptFlag.signal != 0 {
            printError("record: interrupted by signal \(InterruptFlag.signal); the report covers the trace up to then")
            throw ExitCode(2)
        }
        if !restoreProblems.isEmpty { throw ExitCode(2) }
        if let exitCode { throw exitCode }
    }

    /// The analysis of the recorded trace.dat, as `analyze FILE.dat` gives it, plus the losses
    /// the ring-buffer statistics show and the pages do not (dropped events, commit overruns).
    private func analyze(_ traceDat: String, capture: RecordSetup.Capture, name: String) throws(RecordSetup.Failure) -> AnalysisReport {
        let options = analysisOptions
        let known = capture.lossByCPU
        let opener: Analysis.TraceDatOpener = { path, index in
            UnreportedLossStream(try TraceDatEventStream(path: path, fileIndex: index), knownLossByCPU: known)
        }
        do {
            var result = try Analysis.run(paths: [traceDat], options: options, traceDat: opener)
            result.inputs = [name]
            result.statistics.renameFile(traceDat, to: name)
            return result
        } catch {
            throw RecordSetup.Failure(message: "record: reading the recorded trace: \(error)")
        }
    }

    /// The options of `analyze FILE.dat` in this report format.
    private var analysisOptions: AnalysisOptions {
        var options = AnalysisOptions(formatOverride: .traceDat)
        options.recordTimeline = report.format.needsTimeline
        return options
    }

    /// `trace-cmd report -t -i DAT > output` (`-t`: nanosecond timestamps, as in the trace.dat).
    private func renderText(_ traceDat: String, to output: String) throws(RecordSetup.Failure) {
        let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw RecordSetup.Failure(message: "--output \(output): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let status: RecordedCommand.Status
        do {
            status = try RecordedCommand(["trace-cmd", "report", "-t", "-i", traceDat], standardOutput: fd).wait()
        } catch {
            throw RecordSetup.Failure(message: "--output \(output): cannot run trace-cmd report: \(error)")
        }
        if status != .exited(0) { throw RecordSetup.Failure(message: "--output \(output): trace-cmd report \(status)") }
    }

    /// Fails now, before tracing, when `path` cannot be written.
    private func checkWritable(_ path: String) {
        let existed = access(path, F_OK) == 0
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { fail("--output \(path): cannot open: \(String(cString: strerror(errno)))") }
        close(fd)
        if !existed { unlink(path) }
    }

    /// Keeps the findings and inode balances of one filesystem (and findings about the trace
    /// itself, DIO050, and those without a filesystem); statistics are kept whole.
    static func restrict(_ input: AnalysisReport, to fsid: FilesystemID) -> AnalysisReport {
        var out = input
        out.findings = input.findings.filter { $0.rule == .dataLoss || $0.filesystem == nil || $0.filesystem == fsid }
        out.inodes = input.inodes.filter { $0.filesystem == nil || $0.filesystem == fsid }
        return out
    }

    private func fail(_ message: String) -> Never {
        printError(message)
        Glibc.exit(2)
    }
}
