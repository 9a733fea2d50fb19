public import TraceEvents

/// One event in a finding's chain of proof.
public struct EventReference: Sendable, Equatable {
    public var file: String
    public var line: Int
    /// Nanoseconds of the trace clock, when printed.
    public var timestamp: UInt64?
    public var task: String
    public var pid: Int32
    public var event: String
    /// The typed event (nil for references made outside the ledger).
    public var operation: AccountingEvent?
    /// How the finding's balance moved at this event, when the ledger knows it.
    public var step: BalanceStep?

    public init(file: String, line: Int, timestamp: UInt64?, task: String, pid: Int32, event: String,
                operation: AccountingEvent? = nil, step: BalanceStep? = nil) {
        self.file = file
        self.line = line
        self.timestamp = timestamp
        self.task = task
        self.pid = pid
        self.event = event
        self.operation = operation
        self.step = step
    }
}

/// The direct I/O a finding concerns: one write by one task on one inode range.
public struct IODescription: Sendable, Equatable {
    public var task: String
    public var pid: Int32
    public var offset: UInt64?
    public var length: UInt64?
    /// How the window was found: `iomap_dio_rw_begin`, `kprobe:btrfs_dio_write`, `task-window`.
    public var source: String
    public var result: Int64?

    public init(task: String, pid: Int32, offset: UInt64?, length: UInt64?, source: String, result: Int64?) {
        self.task = task
        self.pid = pid
        self.offset = offset
        self.length = length
        self.source = source
        self.result = result
    }
}

/// One direct-I/O write of an inode, as its history remembers it.
public struct InodeIORecord: Sendable, Equatable {
    public var io: IODescription
    public var begin: EventReference
    public var end: EventReference?

    public init(io: IODescription, begin: EventReference, end: EventReference?) {
        self.io = io
        self.begin = begin
        self.end = end
    }

    /// A negative result (errno) or fewer bytes than asked.
    public var failed: Bool {
        guard let r = io.result else { return false }
        return r < 0 || (io.length.map { r >= 0 && UInt64(r) < $0 } ?? false)
    }
}

/// An inode eviction (`btrfs_inode_evict`) with the inode's direct-I/O writes, failing ones first.
public struct InodeEviction: Sendable, Equatable {
    public var filesystem: FilesystemID?
    public var root: UInt64
    public var inode: UInt64
    public var event: EventReference
    public var history: [InodeIORecord]

    public init(filesystem: FilesystemID?, root: UInt64, inode: UInt64, event: EventReference, history: [InodeIORecord]) {
        self.filesystem = filesystem
        self.root = root
        self.inode = inode
        self.event = event
        self.history = history
    }
}

/// A kernel report (from `--dmesg`) that a finding explains.
public struct AttachedReport: Sendable, Equatable {
    public var title: String
    public var file: String
    public var line: Int
    public var reason: String

    public init(title: String, file: String, line: Int, reason: String) {
        self.title = title
        self.file = file
        self.line = line
        self.reason = reason
    }
}

/// A result of the analysis.
public struct Finding: Sendable, Equatable {
    public var rule: Rule
    public var severity: Severity
    public var filesystem: FilesystemID?
    public var root: UInt64?
    public var inode: UInt64?
    public var io: IODescription?
    /// The amount involved: bytes, or a count for extent balances (see `unit`).
    public var amount: Int64?
    public var unit: AmountUnit
    public var message: String
    public var events: [EventReference]
    /// Events of the chain left out to keep it short.
    public var elidedEvents: Int
    public var reports: [AttachedReport]

    public init(rule: Rule, severity: Severity? = nil, filesystem: FilesystemID?, root: UInt64?, inode: UInt64?,
                io: IODescription? = nil, amount: Int64?, unit: AmountUnit = .bytes, message: String,
                events: [EventReference], elidedEvents: Int = 0) {
        self.rule = rule
        self.severity = severity ?? rule.defaultSeverity
        self.filesystem = filesystem
        self.root = root
        self.inode = inode
        self.io = io
        self.amount = amount
        self.unit = unit
        self.message = message
        self.events = events
        self.elidedEvents = elidedEvents
        self.reports = []
    }
}

/// Final balances of one inode.
/// Whether an inode's balances started at zero: `known` when it was created in the trace,
/// `unknown` when tracing started with it live.
public enum Baseline: String, Sendable {
    case known, unknown
}

/// What a finding's amount counts.
public enum AmountUnit: String, Sendable {
    case bytes, extents, events
}

public struct InodeBalance: Sendable, Equatable {
    public var filesystem: FilesystemID?
    public var root: UInt64?
    public var inode: UInt64
    /// Replayed outstanding-extent sum (I1); exact on 4.15+ kernels.
    public var outstandingExtents: Int64
    /// Net delalloc metadata reservation (I2); exact on 4.x, bounded on 5.x/6.x.
    public var metadataReserved: Int64
    public var openOrderedExtents: Int
    public var orderedExtentsAdded: Int
    public var qgroupDataReserved: Int64
    public var evicted: Bool
    /// `known` when the inode was created in the trace, `unknown` when tracing started with it live.
    public var baseline: Baseline

    public init(filesystem: FilesystemID?, root: UInt64?, inode: UInt64, outstandingExtents: Int64, metadataReserved: Int64,
                openOrderedExtents: Int, orderedExtentsAdded: Int, qgroupDataReserved: Int64, evicted: Bool, baseline: Baseline) {
        self.filesystem = filesystem
        self.root = root
        self.inode = inode
        self.outstandingExtents = outstandingExtents
        self.metadataReserved = metadataReserved
        self.openOrderedExtents = openOrderedExtents
        self.orderedExtentsAdded = orderedExtentsAdded
        self.qgroupDataReserved = qgroupDataReserved
        self.evicted = evicted
        self.baseline = baseline
    }
}

/// Everything a reporter needs: reporters never see the ledger.
public struct AnalysisReport: Sendable {
    public var inputs: [String]
    public var findings: [Finding]
    public var statistics: TraceStatistics
    public var inodes: [InodeBalance]
    /// Kernel generation the ledger assumed per input (`4.x`, `5.x/6.x`).
    public var generations: [String]

    /// Every inode eviction of the trace with the inode's direct-I/O writes, for `--dmesg`.
    public var evictions: [InodeEviction] = []

    /// Balances over time, for `--format html|perfetto` (empty unless `AnalysisOptions.recordTimeline`).
    public var timeline = Timeline()

    public init(inputs: [String], findings: [Finding], statistics: TraceStatistics, inodes: [InodeBalance], generations: [String]) {
        self.inputs = inputs
        self.findings = findings
        self.statistics = statistics
        self.inodes = inodes
        self.generations = generations
    }

    /// Findings beyond the first `Ledger.listedFindingsPerRule` of a rule: counted, not listed.
    public var unlistedFindings: [UnlistedFindings] = []

    /// The most severe finding, listed or not, or nil.
    public var worstSeverity: Severity? { (findings.map(\.severity) + unlistedFindings.map(\.severity)).max() }
}
