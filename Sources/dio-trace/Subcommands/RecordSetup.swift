import BtrfsAccounting
import LiveTrace
import TraceDat
import TraceEvents
#if canImport(Glibc)
import Glibc
#endif

/// The tracefs side of `record`: configures the top-level buffer, enables the events the
/// ledger decodes, copies the per-CPU raw buffers while the command runs, and writes the
/// trace.dat. Tracefs is left changed: the caller restores its `TracingState`.
struct RecordSetup {
    /// A setup or capture failure: message, state restored, exit 2.
    struct Failure: Error { var message: String }

    /// What a recording produced.
    struct Capture {
        var status: RecordedCommand.Status
        /// Events lost per CPU by the ring-buffer statistics (overrun + dropped + commit
        /// overrun since the buffer was cleared); only CPUs that lost some.
        var lossByCPU: [Int32: UInt64]
        /// The analysis made while the command ran (nil: none was started); the trace.dat is
        /// written unless it is a usable report and no `--output` was asked for.
        var live: RecordLiveAnalysis.Outcome?
        /// The trace.dat's size, or the size it would have.
        var traceDatSize: Int
    }

    /// What the analysis while the command runs is given.
    struct LiveRequest {
        var name: String
        var options: AnalysisOptions
    }

    /// 32 MiB per CPU. The readers drain continuously (a read every 50 ms at most when the
    /// buffer is empty), so the buffer only covers a reader that does not get a CPU: the heaviest
    /// workload measured (4 O_DIRECT 4 KiB writers on a 2-CPU machine, docs/usage.md) fills about
    /// 13 MiB/s per CPU, so 32 MiB holds about 2.5 s of stall, at 64 MiB of memory per 2 CPUs.
    static let defaultBufferKB = 32768

    let tracefs: Tracefs
    let kprobes: Kprobes
    let bufferKB: Int

    /// The btrfs and iomap events of this kernel that the ledger decodes (`AccountingEventKind`);
    /// events it only counts are not enabled.
    static func consumedEvents(of available: Set<String>) -> [String] {
        available.filter { event in
            let parts = event.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0] == "btrfs" || parts[0] == "iomap" else { return false }
            switch AccountingEventKind.forEventName(String(parts[1])) {
            case .ignored, .probeCandidate: return false
            default: return true
            }
        }.sorted()
    }

    private func step<T>(_ what: String, _ body: () throws -> T) throws(Failure) -> T {
        do { return try body() } catch { throw Failure(message: "record: \(what): \(error)") }
    }

    /// Configures tracefs, runs the command while the per-CPU readers copy the raw buffers into
    /// `scratch` (and, with `live`, the pages are analyzed as they come), then writes `traceDat`
    /// when `keepTraceDat`, or when the live analysis cannot be used.
    func capture(_ args: [String], scratch: String, traceDat: String, keepTraceDat: Bool,
                 live request: LiveRequest?) throws(Failure) -> Capture {
        let events = try configure()
        let baseline = (try? tracefs.ringBufferStats()) ?? [:]
        let raw = try step("opening per_cpu/cpuN/trace_pipe_raw") { try RawTraceCapture(tracefs: tracefs, directory: scratch) }
        // The formats and kallsyms once, before the command (a kprobe's format vanishes with the
        // probe); what changes while recording is read again at the end.
        var contents = try step("reading the event formats") {
            try TraceDatContents.read(from: tracefs, events: events, pages: [], pageSize: raw.pageSize)
        }
        let live = request.flatMap { startLiveAnalysis($0, header: contents, raw: raw, scratch: scratch) }
        var loss: [Int32: UInt64] = [:]
        // On every way out: the readers stopped first, then the analysis thread let go.
        defer {
            _ = try? raw.stop()
            _ = live?.finish(lossByCPU: loss)
        }
        if InterruptFlag.signal != 0 { throw Failure(message: "record: interrupted by signal \(InterruptFlag.signal) before the command started") }
        try step("starting tracing") { try tracefs.setTracingOn(true) }
        let child: RecordedCommand
        do {
            child = try RecordedCommand(args)
        } catch {
            try? tracefs.setTracingOn(false)
            throw Failure(message: "record: cannot start \(args[0]): \(error)")
        }
        let status = child.waitForwardingInterrupts()
        try step("stopping tracing") { try tracefs.setTracingOn(false) }
        let cpus = try step("reading the ring buffers") { try raw.stop() }
        for (cpu, now) in ((try? tracefs.ringBufferStats()) ?? [:]) {
            let before = baseline[cpu]
            let lost = max(0, now.overrun - (before?.overrun ?? 0)) + max(0, now.droppedEvents - (before?.droppedEvents ?? 0))
                + max(0, now.commitOverrun - (before?.commitOverrun ?? 0))
            if lost > 0 { loss[Int32(cpu)] = UInt64(lost) }
        }
        let outcome = live?.finish(lossByCPU: loss)
        try step("reading the command lines and ring-buffer statistics") { try contents.update(from: tracefs, pages: cpus) }
        // Without a usable live report (none started, late records, an error) the trace.dat is
        // analyzed after the command, so it is written whether kept or not.
        var liveReport = false
        if case .report(_, let commands) = outcome {
            // The trace.dat names each task as the live analysis did.
            contents = contents.mergingCommandLines(commands)
            liveReport = true
        }
        let write = keepTraceDat || !liveReport
        let size: Int
        do {
            size = write ? try TraceDatWriter.write(contents, to: traceDat) : try TraceDatWriter.size(of: contents)
        } catch {
            throw Failure(message: "record: writing the trace.dat: \(error)")
        }
        return Capture(status: status, lossByCPU: loss, live: outcome, traceDatSize: size)
    }

    /// The trace.dat without pages the live analysis reads its formats from.
    static func liveHeader(in scratch: String) -> String { scratch + "/header.dat" }

    /// Writes the trace.dat header (formats, kallsyms, command lines; no pages) and starts
    /// analyzing the readers' pages; nil, with a message, when that fails (the trace is then
    /// analyzed after the command, as without).
    private func startLiveAnalysis(_ request: LiveRequest, header contents: TraceDatContents, raw: RawTraceCapture,
                                   scratch: String) -> RecordLiveAnalysis? {
        let header = Self.liveHeader(in: scratch)
        var contents = contents
        do {
            contents.cpus = raw.cpus.map { TraceDatContents.CPUData(cpu: $0, path: nil) }
            try TraceDatWriter.write(contents, to: header)
            return try RecordLiveAnalysis(header: header, sources: raw.livePages, tracefs: tracefs, name: request.name,
                                          options: request.options)
        } catch {
            printError("record: cannot analyze while recording (\(error)); the trace is analyzed when the command exits")
            return nil
        }
    }

    /// Stops tracing and sets the buffer up: nop tracer, no PID filter, overwrite mode (losses are
    /// then overruns, which the pages report where they happened), the buffer size, only the
    /// consumed events and the kprobes, no event filters, an empty buffer.
    /// - Returns: the enabled events.
    private func configure() throws(Failure) -> [String] {
        try step("stopping tracing") { try tracefs.setTracingOn(false) }
        try step("setting current_tracer") {
            if try tracefs.readValue("current_tracer") != "nop" { try tracefs.write("current_tracer", "nop\n") }
        }
        try step("clearing set_event_pid") {
            if let pids = try? tracefs.readValue("set_event_pid"), !pids.isEmpty { try tracefs.write("set_event_pid", "") }
        }
        try step("setting options/overwrite") {
            if let v = try? tracefs.readValue("options/overwrite"), v != "1" { try tracefs.write("options/overwrite", "1\n") }
        }
        try step("setting buffer_size_kb=\(bufferKB)") { try tracefs.setBufferSizeKB(bufferKB) }
        try step("clearing set_event") { try tracefs.disableAllEvents() }
        let probes = kprobes.install()
        let wanted = try step("reading available_events") { Self.consumedEvents(of: try tracefs.availableEvents()) }
        let enabled = try step("enabling events") { try tracefs.enableEvents(wanted + probes) }
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
        return enabled.enabled
    }
}
