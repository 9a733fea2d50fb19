internal import CElfUtils
import KernelLog

/// One file reported to libdwfl (vmlinux or a module) with its per-module caches: symbol table,
/// build id, bias and the inline-chain reader. The `Dwfl_Module` belongs to the session.
final class LoadedModule {
    /// Module name as frames print it; nil for vmlinux.
    let moduleName: String?
    let path: String
    let buildID: String?
    let hasDwarf: Bool
    /// libdwfl address = link-time address + bias.
    let bias: UInt64
    let start: UInt64
    let end: UInt64
    private let handle: OpaquePointer
    private var symbolTable: ElfSymbolTable?
    private var chains: InlineChainReader

    init(moduleName: String?, path: String, handle: OpaquePointer) {
        self.moduleName = moduleName
        self.path = path
        self.handle = handle
        self.chains = InlineChainReader(module: handle)
        var bias: Dwarf_Addr = 0
        _ = dwfl_module_getelf(handle, &bias)
        self.bias = bias
        var start: Dwarf_Addr = 0
        var end: Dwarf_Addr = 0
        _ = dwfl_module_info(handle, nil, &start, &end, nil, nil, nil, nil)
        self.start = start
        self.end = end
        var dwarfBias: Dwarf_Addr = 0
        hasDwarf = dwfl_module_getdwarf(handle, &dwarfBias) != nil
        buildID = Self.readBuildID(handle)
    }

    private static func readBuildID(_ handle: OpaquePointer) -> String? {
        var bits: UnsafePointer<UInt8>? = nil
        var vaddr: GElf_Addr = 0
        let length = dwfl_module_build_id(handle, &bits, &vaddr)
        guard length > 0, let bits else { return nil }
        let digits = Array("0123456789abcdef")
        var text = ""
        for index in 0..<Int(length) {
            text.append(digits[Int(bits[index] >> 4)])
            text.append(digits[Int(bits[index] & 0xf)])
        }
        return text
    }

    var symbols: ElfSymbolTable {
        if let symbolTable { return symbolTable }
        let table = ElfSymbolTable(module: handle)
        symbolTable = table
        return table
    }

    var name: String { moduleName ?? "vmlinux" }

    func contains(_ address: UInt64) -> Bool { address >= start && address < end }

    /// Symbol containing `address` and the offset into it.
    func symbol(at address: UInt64) -> (name: String, offset: UInt64)? {
        symbols.symbol(containing: address).map { ($0.symbol.name, $0.offset) }
    }

    func chain(at address: UInt64) -> [InlineEntry] {
        hasDwarf ? chains.chain(at: address) : []
    }
}
