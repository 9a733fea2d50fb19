/// One kernel report (WARNING, BUG, Oops, KASAN, lockdep, hung task, RCU stall, panic…) found in a log.
///
/// Fields used to tie a report to trace findings: `timestamp` (printk `local_clock()` time of the header
/// line, same clock family as ftrace's `local` clock), `pid`/`comm` (from the `CPU: … PID: … Comm:` line or the
/// header), `cpu`, `caller` (`[ T123]`) and `guiltyFrame`.
public struct KernelReport: Sendable, Equatable {
    public var kind: ReportKind
    /// syzkaller-compatible title (`WARNING in btrfs_destroy_inode`, `kernel BUG in close_ctree`).
    public var title: String
    public var alternativeTitles: [String]
    /// Function named by the title (the first frame that is not reporting/allocator/locking plumbing).
    public var guiltyFrame: String?
    public var corrupted: Bool
    public var corruptionReason: String?
    /// The header line as printed, without log prefixes.
    public var header: String
    /// Source location printed in the header (`at fs/btrfs/inode.c:8967`, `kernel BUG at fs/btrfs/ctree.h:3615!`).
    public var location: SourceLocation?
    public var cpu: Int?
    public var pid: Int?
    public var comm: String?
    /// Taint flags as printed after `Tainted:` (nil when `Not tainted` or not printed).
    public var taint: String?
    public var kernelVersion: String?
    public var hardwareName: String?
    /// The faulting PC frame (RIP/pc/NIP/epc/PSW) when in kernel mode.
    public var instructionPointer: StackFrame?
    /// Register values in printed order (`RAX`, `x29`, `CR2`…).
    public var registers: [Register]
    /// Module names from `Modules linked in:` (taint flags dropped).
    public var modules: [String]
    /// printk time of the header line.
    public var timestamp: KernelTimestamp?
    public var caller: CallerID?
    /// Kernel frames in printed order (including the trap frame and unreliable frames).
    public var frames: [StackFrame]
    /// Frames anywhere in the report that print both a raw address and `function+offset`
    /// (old call traces, lockdep `hardirqs last enabled at (N): [<…>] func+off`): input for KASLR-slide inference.
    public var addressedSymbols: [StackFrame]
    /// Report text without log prefixes.
    public var lines: [String]
    /// Where the title's function comes from: the call trace (syzkaller's rules) or, when the report
    /// has no usable frame (trimmed by the poster, all `?` frames), the function its header names.
    public var titleSource: TitleSource = .report
    /// The title syzkaller's rules give; differs from `title` only when `titleSource` is `.header`
    /// (syzkaller then says `… in corrupted`).
    public var syzkallerTitle: String = ""
    /// Byte range of the header line in the input.
    public var startOffset: Int
    public var endOffset: Int

    public init(kind: ReportKind, title: String, alternativeTitles: [String] = [], guiltyFrame: String? = nil,
                corrupted: Bool = false, corruptionReason: String? = nil, header: String = "",
                location: SourceLocation? = nil, cpu: Int? = nil, pid: Int? = nil, comm: String? = nil,
                taint: String? = nil, kernelVersion: String? = nil, hardwareName: String? = nil,
                instructionPointer: StackFrame? = nil, registers: [Register] = [], modules: [String] = [],
                timestamp: KernelTimestamp? = nil, caller: CallerID? = nil, frames: [StackFrame] = [],
                addressedSymbols: [StackFrame] = [], lines: [String] = [], startOffset: Int = 0, endOffset: Int = 0) {
        self.kind = kind
        self.title = title
        self.alternativeTitles = alternativeTitles
        self.guiltyFrame = guiltyFrame
        self.corrupted = corrupted
        self.corruptionReason = corruptionReason
        self.header = header
        self.location = location
        self.cpu = cpu
        self.pid = pid
        self.comm = comm
        self.taint = taint
        self.kernelVersion = kernelVersion
        self.hardwareName = hardwareName
        self.instructionPointer = instructionPointer
        self.registers = registers
        self.modules = modules
        self.timestamp = timestamp
        self.caller = caller
        self.frames = frames
        self.addressedSymbols = addressedSymbols
        self.lines = lines
        self.startOffset = startOffset
        self.endOffset = endOffset
    }
}

/// One register value from a register dump.
public struct Register: Sendable, Hashable {
    public var name: String
    public var value: UInt64

    public init(name: String, value: UInt64) {
        self.name = name
        self.value = value
    }
}

/// What a report's title was made from.
public enum TitleSource: String, Sendable, Hashable {
    /// The report's own text and call trace, by the title rules.
    case report
    /// The function printed on the header line (`… at fs/btrfs/inode.c:8967 btrfs_destroy_inode+0x284/0x2a0`).
    case header
}

extension KernelReport {
    /// The function a WARNING header names after `at FILE:LINE` (`btrfs_destroy_inode`), without offset
    /// and compiler suffix; also the 2025+ form `WARNING: FILE:LINE at FUNC+0x…`. Nil for an address.
    public var headerFunction: String? { HeaderFields.function(in: header) }
}
