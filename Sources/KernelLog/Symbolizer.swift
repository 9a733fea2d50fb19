/// What a kernel report frame tells a symbolizer about one code address.
///
/// A frame may print a raw address, a `function+offset/size` pair, a module name and a build id,
/// in any combination. Return addresses (every call-trace frame except the faulting RIP/PC) are
/// looked up at `address - 1` so the line is that of the call, not of the next instruction.
public struct SymbolizationRequest: Sendable, Hashable {
    /// Module name as printed in `[btrfs]`, or nil for the core kernel (vmlinux).
    public var module: String?
    /// Symbol name when the frame printed `function+offset/size`.
    public var function: String?
    public var offset: UInt64?
    public var size: UInt64?
    /// Raw address when the frame printed one (`[<ffffffff81984058>]`, `RIP: 0010:...` is not an address).
    public var address: UInt64?
    /// Build id printed after the module name (`[btrfs 1234abcd...]`), lower-case hex.
    public var buildID: String?
    /// True for return addresses (look up at pc - 1); false for the faulting RIP/PC.
    public var isReturnAddress: Bool

    public init(module: String? = nil, function: String? = nil, offset: UInt64? = nil, size: UInt64? = nil,
                address: UInt64? = nil, buildID: String? = nil, isReturnAddress: Bool = true) {
        self.module = module
        self.function = function
        self.offset = offset
        self.size = size
        self.address = address
        self.buildID = buildID
        self.isReturnAddress = isReturnAddress
    }
}

/// One entry of an inline chain, in the order `eu-addr2line -i -f` prints it: the innermost
/// function first with the source line of the address, then each function it was inlined into
/// with the line of the call site.
public struct InlineEntry: Sendable, Equatable, Hashable {
    public var function: String
    public var file: String?
    public var line: Int?
    public var column: Int?

    public init(function: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.function = function
        self.file = file
        self.line = line
        self.column = column
    }
}

/// The answer for one request.
public struct SymbolizationResult: Sendable, Equatable {
    /// Symbol containing the address (from the symbol table), when known.
    public var symbol: String?
    /// Offset of the looked-up address inside `symbol`.
    public var symbolOffset: UInt64?
    /// Inline chain, innermost first; empty when only symbol-level information exists.
    public var chain: [InlineEntry]
    /// Problems worth showing next to the frame (build id mismatch, ambiguous symbol, ...).
    public var diagnostics: [String]

    public init(symbol: String? = nil, symbolOffset: UInt64? = nil, chain: [InlineEntry] = [], diagnostics: [String] = []) {
        self.symbol = symbol
        self.symbolOffset = symbolOffset
        self.chain = chain
        self.diagnostics = diagnostics
    }
}

/// Maps frames to source. Implemented in-process over libdw (ElfSymbolization) and over a
/// `/proc/kallsyms` copy; tests inject fakes.
public protocol Symbolizer: AnyObject {
    /// Returns nil when the symbolizer knows nothing about the request's module or address.
    func symbolize(_ request: SymbolizationRequest) -> SymbolizationResult?
}
