/// A call trace printed outside any report: sysrq `t`/`w` task dumps (`sched_show_task`), sysrq `l` and
/// NMI backtraces, `show_stack`/`dump_stack` callers. Decoded and symbolized like report frames, never
/// counted as a report.
public struct StackDump: Sendable, Equatable {
    /// The line naming whose stack it is (`task:dd state:D … pid:1383 …`, `CPU: 1 PID: 0 Comm: swapper/1 …`,
    /// `NMI backtrace for cpu 1`), without log prefixes; nil when the trace follows no such line.
    public var header: String?
    public var comm: String?
    public var pid: Int?
    public var parentPID: Int?
    /// Task state as printed (`D`, `S`, `R`, `I`; `running task` is kept as `R`).
    public var state: String?
    public var cpu: Int?
    public var timestamp: KernelTimestamp?
    public var caller: CallerID?
    /// Frames in printed order, the trap frame (`RIP: 0010:…`) first when the dump prints registers.
    public var frames: [StackFrame]
    /// Byte range in the input, from the header (or `Call Trace:`) line to the last frame line.
    public var startOffset: Int
    public var endOffset: Int

    public init(header: String? = nil, comm: String? = nil, pid: Int? = nil, parentPID: Int? = nil, state: String? = nil,
                cpu: Int? = nil, timestamp: KernelTimestamp? = nil, caller: CallerID? = nil, frames: [StackFrame] = [],
                startOffset: Int = 0, endOffset: Int = 0) {
        self.header = header
        self.comm = comm
        self.pid = pid
        self.parentPID = parentPID
        self.state = state
        self.cpu = cpu
        self.timestamp = timestamp
        self.caller = caller
        self.frames = frames
        self.startOffset = startOffset
        self.endOffset = endOffset
    }

    /// The dump with every frame mapped to source by `symbolizer` (see `KernelReport.symbolized(using:)`).
    public func symbolized(using symbolizer: (any Symbolizer)?) -> StackDump {
        guard let symbolizer else { return self }
        var copy = self
        copy.frames = frames.map { $0.symbolized(using: symbolizer) }
        return copy
    }
}

/// Everything `KernelLogParser.decode(_:)` finds in a log.
public struct DecodedKernelLog: Sendable, Equatable {
    public var reports: [KernelReport]
    public var stackDumps: [StackDump]

    public init(reports: [KernelReport], stackDumps: [StackDump]) {
        self.reports = reports
        self.stackDumps = stackDumps
    }

    /// Both parts symbolized.
    public func symbolized(using symbolizer: (any Symbolizer)?) -> DecodedKernelLog {
        DecodedKernelLog(reports: reports.map { $0.symbolized(using: symbolizer) },
                         stackDumps: stackDumps.map { $0.symbolized(using: symbolizer) })
    }
}
