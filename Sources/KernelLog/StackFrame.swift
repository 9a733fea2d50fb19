/// Which stack a frame was printed from (x86 `<IRQ>`…`</IRQ>` markers and friends).
public enum StackContext: String, Sendable, Hashable {
    case task = "TASK"
    case irq = "IRQ"
    case softirq = "SOFTIRQ"
    case nmi = "NMI"
    case exception = "EXCEPTION"
    case doubleFault = "#DF"
    case other = "OTHER"
}

/// One frame of a kernel call trace, as printed and (optionally) symbolized.
public struct StackFrame: Sendable, Equatable {
    /// Raw address when printed (`[<ffffffff81984058>]`, powerpc `[c0000000...]`).
    public var address: UInt64?
    /// Symbol name (`btrfs_destroy_inode`, `assertfail.constprop.0`); nil for address-only frames.
    public var function: String?
    public var offset: UInt64?
    public var size: UInt64?
    /// Module from `[btrfs]`, nil for vmlinux.
    public var module: String?
    /// Build id from `[btrfs 1234abcd…]`, lower-case hex.
    public var buildID: String?
    /// False for `? func` (x86), `(unreliable)` (powerpc) and parenthesized s390 frames.
    public var reliable: Bool
    public var context: StackContext?
    /// True for the faulting PC (RIP/pc/NIP/epc/PSW line): it is not a return address.
    public var isTrapPC: Bool
    /// arm64 unwind source marker (`P`, `T`, `C`, `U`, maybe with `F`/`K`), when printed.
    public var unwindSource: String?
    /// `file:line` already printed after the frame (syzbot-symbolized or `CONFIG_KALLSYMS_LINEINFO`).
    public var printedLocation: SourceLocation?
    /// Inline chain already printed (decode_stacktrace.sh's extra locations, `(inlined by)` lines),
    /// innermost first, kept as printed.
    public var printedInline: [InlineEntry] = []
    /// Source location filled in by a `Symbolizer`.
    public var file: String?
    public var line: Int?
    /// Inline chain from the symbolizer, innermost first.
    public var inlined: [InlineEntry]
    /// Symbolizer diagnostics (build id mismatch…).
    public var diagnostics: [String]
    /// The stack section this frame belongs to (`Call Trace`, `Allocated by task 12`, …).
    public var section: String?

    public init(address: UInt64? = nil, function: String? = nil, offset: UInt64? = nil, size: UInt64? = nil,
                module: String? = nil, buildID: String? = nil, reliable: Bool = true, context: StackContext? = nil,
                isTrapPC: Bool = false, unwindSource: String? = nil, printedLocation: SourceLocation? = nil,
                file: String? = nil, line: Int? = nil, inlined: [InlineEntry] = [], diagnostics: [String] = [],
                section: String? = nil) {
        self.address = address
        self.function = function
        self.offset = offset
        self.size = size
        self.module = module
        self.buildID = buildID
        self.reliable = reliable
        self.context = context
        self.isTrapPC = isTrapPC
        self.unwindSource = unwindSource
        self.printedLocation = printedLocation
        self.file = file
        self.line = line
        self.inlined = inlined
        self.diagnostics = diagnostics
        self.section = section
    }

    /// `func+0x1f/0x30 [mod]` as the kernel prints it.
    public var symbolText: String {
        var text = function ?? (address.map { "0x" + String($0, radix: 16) } ?? "?")
        if function != nil, let offset {
            text += "+0x" + String(offset, radix: 16)
            if let size { text += "/0x" + String(size, radix: 16) }
        }
        if let module {
            text += " [" + module + (buildID.map { " " + $0 } ?? "") + "]"
        }
        return text
    }

    /// The request a `Symbolizer` needs for this frame.
    public var symbolizationRequest: SymbolizationRequest {
        SymbolizationRequest(module: module, function: function, offset: offset, size: size, address: address,
                             buildID: buildID, isReturnAddress: !isTrapPC)
    }
}

/// A `file:line` pair.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}
