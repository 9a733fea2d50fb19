/// A call trace printed on request rather than for a bug: sysrq `w`/`t` task dumps
/// (`task:dd state:D … pid:1383 …`), sysrq `l` / NMI all-CPU backtraces (`NMI backtrace for cpu 1`),
/// and `dump_stack()` calls outside reports.
public struct KernelBacktrace: Sendable, Equatable {
    /// The line that introduced the trace (`task:dd state:D …`, `NMI backtrace for cpu 1`, `CPU: 0 PID: …`).
    public var heading: String
    public var timestamp: KernelTimestamp?
    public var caller: CallerID?
    public var cpu: Int?
    public var pid: Int?
    public var comm: String?
    /// Scheduler state for task dumps (`D`, `S`, `R`…).
    public var state: String?
    public var frames: [StackFrame]
    public var instructionPointer: StackFrame?

    public init(heading: String, timestamp: KernelTimestamp? = nil, caller: CallerID? = nil, cpu: Int? = nil,
                pid: Int? = nil, comm: String? = nil, state: String? = nil, frames: [StackFrame] = [],
                instructionPointer: StackFrame? = nil) {
        self.heading = heading
        self.timestamp = timestamp
        self.caller = caller
        self.cpu = cpu
        self.pid = pid
        self.comm = comm
        self.state = state
        self.frames = frames
        self.instructionPointer = instructionPointer
    }
}

extension KernelLogParser {
    /// Every task dump / NMI backtrace / stand-alone `CPU: … PID:` stack in the log, in order.
    /// Independent of `reports(in:)`: a report's own stack is not listed here unless it has such a heading.
    public func backtraces(in bytes: [UInt8]) -> [KernelBacktrace] {
        let lines = LogLineScanner.lines(in: bytes)
        var result: [KernelBacktrace] = []
        var current: (heading: LogLine, assembler: ReportAssembler, lines: Int)?
        func finish() {
            guard let open = current else { return }
            current = nil
            let message = bytes.text(from: open.heading.messageStart, to: open.heading.end)
            let report = open.assembler.build(header: message)
            guard !report.frames.isEmpty else { return }
            var trace = KernelBacktrace(heading: message, timestamp: open.heading.timestamp, cpu: report.cpu,
                                        pid: report.pid, comm: report.comm, frames: report.frames,
                                        instructionPointer: report.instructionPointer)
            if case .caller(let caller) = open.heading.context { trace.caller = caller }
            Self.applyHeading(message, to: &trace)
            result.append(trace)
        }
        for line in lines {
            let start = line.messageStart
            let end = line.end
            if Self.isHeading(bytes, start: start, end: end) {
                let continuesNMI = current.map { bytes.hasPrefix(Self.nmiHeading, at: $0.heading.messageStart, end: $0.heading.end) } ?? false
                if continuesNMI && bytes.hasPrefix(Self.cpuHeading, at: start, end: end), var open = current, open.lines < 3 {
                    // "NMI backtrace for cpu 1" is followed by its own "CPU: 1 PID: …" line.
                    open.assembler.consume(line, bytes: bytes)
                    open.lines += 1
                    current = open
                    continue
                }
                finish()
                var assembler = ReportAssembler()
                assembler.consume(line, bytes: bytes)
                current = (line, assembler, 1)
                continue
            }
            guard var open = current else { continue }
            if bytes.hasPrefix(Self.sysrq, at: start, end: end) || open.lines > 400 {
                finish()
                continue
            }
            open.assembler.consume(line, bytes: bytes)
            open.lines += 1
            current = open
            if bytes.contains(Self.taskClose, from: start, to: end) { finish() }
        }
        finish()
        return result
    }

    private static let taskHeading: [UInt8] = Array("task:".utf8)
    private static let nmiHeading: [UInt8] = Array("NMI backtrace for cpu".utf8)
    private static let cpuHeading: [UInt8] = Array("CPU: ".utf8)
    private static let sysrq: [UInt8] = Array("sysrq: ".utf8)
    private static let taskClose: [UInt8] = Array("</TASK>".utf8)

    private static func isHeading(_ bytes: [UInt8], start: Int, end: Int) -> Bool {
        bytes.hasPrefix(taskHeading, at: start, end: end) || bytes.hasPrefix(nmiHeading, at: start, end: end)
            || (bytes.hasPrefix(cpuHeading, at: start, end: end) && bytes.contains(Array(" PID: ".utf8), from: start, to: end))
    }

    /// `task:dd              state:D  … pid:1383 …` and `NMI backtrace for cpu 1`.
    private static func applyHeading(_ heading: String, to trace: inout KernelBacktrace) {
        let words = heading.split(separator: " ", omittingEmptySubsequences: true)
        for (index, word) in words.enumerated() {
            if word.hasPrefix("task:") {
                let name = word.dropFirst(5)
                if !name.isEmpty { trace.comm = String(name) }
            }
            if word.hasPrefix("state:") { trace.state = String(word.dropFirst(6)) }
            if word.hasPrefix("pid:"), let pid = Int(word.dropFirst(4)) { trace.pid = pid }
            if word == "cpu", index + 1 < words.count, index >= 2, words[index - 1] == "for", let cpu = Int(words[index + 1]) {
                trace.cpu = cpu
            }
        }
    }
}
