import ArgumentParser
import BtrfsAccounting
import LiveTrace
import TraceEvents
import TraceInput
#if canImport(Glibc)
import Glibc
#endif

/// `dio-trace record [options] [--] COMMAND...`: trace a command on the running kernel and
/// analyze the trace while it runs.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run a command with the btrfs/iomap accounting events enabled and analyze the trace live.",
        discussion: """
        Needs root and tracefs. Enables the btrfs and iomap events the ledger uses (and kprobes on the \
        btrfs direct-I/O functions where the kernel has kprobe events), runs COMMAND, streams \
        trace_pipe into the analyzer while it runs, and prints the analysis when it exits. The \
        tracing state found (events, filters, options, buffer size, tracing_on) is always restored, \
        also on failure and on SIGINT/SIGTERM (forwarded to the command).

        The command's standard output goes to standard error, so standard output carries only the \
        report. Its exit status is a last line `command: ... exited with status N` in text output, \
        and on standard error in every format.

        Exit status: 0 no finding at or above --fail-on, 1 at least one, 2 not root, no tracefs, \
        command not startable, setup error, or interrupted (the report of what was traced is still printed).
        """)

    @OptionGroup var report: ReportOptions

    @Option(name: .long, help: "Also save the raw trace (trace_pipe text) to this file, for a later analyze or a fixture.")
    var output: String?

    @Option(name: .long, help: "Report only on the btrfs mounted at PATH (statistics still cover the whole trace).")
    var mount: String?

    @Option(name: .customLong("buffer-kb"), help: "Per-CPU ring-buffer size in KiB while recording.")
    var bufferKB: Int = 16384

    @Argument(parsing: .captureForPassthrough, help: "The command to run (use -- before it when it has options).")
    var command: [String] = []

    /// The events `scripts/capture-real-trace.sh` enables (its accounting set).
    static let events = [
        "btrfs:btrfs_space_reservation",
        "btrfs:btrfs_inode_mod_outstanding_extents",
        "btrfs:btrfs_ordered_extent_*",
        "btrfs:btrfs_ordered_sched",
        "btrfs:btrfs_finish_ordered_extent",
        "btrfs:btrfs_reserve_extent",
        "btrfs:btrfs_reserve_extent_cluster",
        "btrfs:btrfs_reserved_extent_alloc",
        "btrfs:btrfs_reserved_extent_free",
        "btrfs:update_bytes_may_use",
        "btrfs:update_bytes_pinned",
        "btrfs:btrfs_qgroup_*",
        "btrfs:qgroup_*",
        "btrfs:btrfs_inode_new",
        "btrfs:btrfs_inode_request",
        "btrfs:btrfs_inode_evict",
        "btrfs:btrfs_transaction_commit",
        "btrfs:btrfs_sync_file",
        "btrfs:btrfs_sync_fs",
        "btrfs:btrfs_trigger_flush",
        "btrfs:btrfs_flush_space",
        "btrfs:btrfs_reserve_ticket",
        "btrfs:btrfs_done_preemptive_reclaim",
        "btrfs:btrfs_fail_all_tickets",
        "btrfs:btrfs_writepage_end_io_hook",
        "btrfs:btrfs_work_sched",
        "btrfs:btrfs_all_work_done",
        "iomap:iomap_dio_rw_begin",
        "iomap:iomap_dio_complete",
        "iomap:iomap_dio_rw_queued",
        "iomap:iomap_dio_invalidate_fail",
        "iomap:iomap_iter",
    ]

    mutating func validate() throws {
        if command.first == "--help" || command.first == "-h" { throw CleanExit.helpRequest(self) }
        if command.first == "--" { command.removeFirst() }
        if command.isEmpty { throw ValidationError("no command given (dio-trace record [options] -- COMMAND...)") }
        if bufferKB < 64 { throw ValidationError("--buffer-kb must be at least 64") }
    }

    /// A setup or capture failure: message, state restored, exit 2.
    struct Failure: Error { var message: String }

    /// What a recording produced.
    struct Capture {
        var report: AnalysisReport
        var status: RecordedCommand.Status
        var overrun = 0
        var dropped = 0
    }

    func run() throws {
        var args = command
        if args.first == "--" { args.removeFirst() }
        guard Tracefs.isRoot else { fail("record needs root to change tracefs state (effective uid \(geteuid()))") }
        // The lock first: another recorder may mount or unmount tracefs until it lets go (a second
        // recorder queues here; it used to find tracefs mounted, then gone when the first exited).
        let lock: CaptureLock
        do { lock = try CaptureLock() } catch { fail("record: \(error)") }
        defer { lock.release() }
        let tracefs: Tracefs
        do {
            tracefs = try Tracefs()
            try tracefs.requireWritable()
        } catch {
            fail("record: \(error)")
        }
        var fsid: FilesystemID?
        if let mount {
            do {
                let text = try BtrfsMount.fsid(of: mount)
                fsid = FilesystemID(text)
            } catch {
                fail("--mount \(mount): \(error)")
            }
        }
        var teeFD: Int32?
        if let output {
            let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd < 0 { fail("--output \(output): cannot open: \(String(cString: strerror(errno)))") }
            teeFD = fd
        }
        defer { if let teeFD { close(teeFD) } }

        let saved: TracingState
        do { saved = try TracingState.capture(from: tracefs) } catch { fail("record: reading the tracing state: \(error)") }
        InterruptFlag.install()
        let kprobes = Kprobes(tracefs: tracefs)

        let result = Result<Capture, Failure> { () throws(Failure) -> Capture in
            try capture(args, tracefs: tracefs, kprobes: kprobes, tee: teeFD)
        }

        // Always: put tracefs back as found, remove our probes, unmount tracefs if we mounted it.
        var restoreProblems: [String] = []
        do { try saved.restore(to: tracefs) } catch { restoreProblems.append("\(error)") }
        restoreProblems += kprobes.remove().map { "could not remove kprobe \($0)" }
        do { try tracefs.unmountIfMountedHere() } catch { restoreProblems.append("\(error)") }
        InterruptFlag.uninstall()
        for p in restoreProblems { printError("record: restoring the tracing state: \(p)") }

        let recorded: Capture
        switch result {
        case .failure(let failure):
            printError(failure.message)
            throw ExitCode(2)
        case .success(let c):
            recorded = c
        }
        var analysis = recorded.report
        if let fsid { analysis = Record.restrict(analysis, to: fsid) }
        if recorded.overrun + recorded.dropped > 0 {
            printError("record: the ring buffer lost events (overrun \(recorded.overrun), dropped \(recorded.dropped)); raise --buffer-kb")
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

    /// Configures tracefs, runs the command and analyzes `trace_pipe` until it exited and the
    /// buffer is drained. Tracefs is left changed: the caller restores it.
    func capture(_ args: [String], tracefs: Tracefs, kprobes: Kprobes, tee: Int32?) throws(Failure) -> Capture {
        func step<T>(_ what: String, _ body: () throws -> T) throws(Failure) -> T {
            do { return try body() } catch { throw Failure(message: "record: \(what): \(error)") }
        }
        try step("stopping tracing") { try tracefs.setTracingOn(false) }
        try step("setting current_tracer") {
            if trimmedText(try tracefs.read("current_tracer")) != "nop" { try tracefs.write("current_tracer", "nop\n") }
        }
        try step("clearing set_event_pid") {
            if let pids = try? tracefs.read("set_event_pid"), !trimmedText(pids).isEmpty {
                try tracefs.write("set_event_pid", "")
            }
        }
        // Overwrite mode: losses are then overruns, which trace_pipe reports in place
        // (`CPU:N [LOST M EVENTS]`), so the ledger knows where the gap is.
        try step("setting options/overwrite") {
            if let v = try? tracefs.read("options/overwrite"), trimmedText(v) != "1" { try tracefs.write("options/overwrite", "1\n") }
        }
        try step("setting buffer_size_kb=\(bufferKB)") { try tracefs.setBufferSizeKB(bufferKB) }
        try step("clearing set_event") { try tracefs.disableAllEvents() }
        let probes = kprobes.install()
        let enabled = try step("enabling events") { try tracefs.enableEvents(Record.events + probes) }
        guard enabled.enabled.contains(where: { $0.hasPrefix("btrfs:") }) else {
            throw Failure(message: "record: this kernel has no btrfs tracepoints (is btrfs loaded?)")
        }
        for event in enabled.enabled {
            if let f = try? tracefs.filter(ofEvent: event), f != "none" {
                try step("clearing the filter of \(event)") { try tracefs.setFilter("0", ofEvent: event) }
            }
        }
        printError("record: \(enabled.enabled.count) events enabled"
                   + (enabled.skipped.isEmpty ? "" : "; not on this kernel: \(enabled.skipped.joined(separator: " "))")
                   + (kprobes.isAvailable ? "" : "; no kprobe_events (kprobes skipped)"))
        try step("clearing the ring buffer") { try tracefs.clearBuffer() }
        let baseline = (try? tracefs.ringBufferStats()) ?? [:]
        let pipe = try step("opening trace_pipe") { try tracefs.openTracePipe() }
        defer { pipe.close() }
        if InterruptFlag.signal != 0 { throw Failure(message: "record: interrupted before the command started") }
        try step("starting tracing") { try tracefs.setTracingOn(true) }

        let child: RecordedCommand
        do {
            child = try RecordedCommand(args)
        } catch {
            throw Failure(message: "record: cannot start \(args[0]): \(error)")
        }
        let name = output ?? "<trace_pipe>"
        let source = TracePipeSource(pipe: pipe, command: child, name: name, tee: tee)
        source.onCommandExit = { try? tracefs.setTracingOn(false) }
        final class Lost { var overrun = 0; var dropped = 0 }
        let lost = Lost()
        source.trailer = {
            // Overruns are reported inline by trace_pipe (`CPU:N [LOST M EVENTS]`); events dropped
            // (overwrite off) or lost to commit overruns are not, so they are added as markers.
            var text = ""
            for (cpu, now) in ((try? tracefs.ringBufferStats()) ?? [:]).sorted(by: { $0.key < $1.key }) {
                let before = baseline[cpu]
                let overrun = max(0, now.overrun - (before?.overrun ?? 0))
                let missing = max(0, now.droppedEvents - (before?.droppedEvents ?? 0))
                    + max(0, now.commitOverrun - (before?.commitOverrun ?? 0))
                lost.overrun += overrun
                lost.dropped += missing
                if missing > 0 { text += "CPU:\(cpu) [LOST \(missing) EVENTS]\n" }
            }
            return Array(text.utf8)
        }
        let report: AnalysisReport
        do {
            report = try Analysis.run(source: source, name: name, format: .ftrace, recordTimeline: self.report.format.needsTimeline)
        } catch {
            child.send(SIGTERM)
            _ = child.wait()
            throw Failure(message: "record: reading the trace: \(error)")
        }
        return Capture(report: report, status: child.status ?? child.wait(), overrun: lost.overrun, dropped: lost.dropped)
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

private func trimmedText(_ s: String) -> String {
    var sub = Substring(s)
    while let c = sub.last, c == "\n" || c == " " || c == "\t" { sub.removeLast() }
    while let c = sub.first, c == "\n" || c == " " || c == "\t" { sub.removeFirst() }
    return String(sub)
}
