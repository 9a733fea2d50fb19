internal import CElfUtils
import KernelLog
import Glibc

/// Source location and inline chain for one address of one module, with the same answer as
/// `eu-addr2line -i -f` (elfutils `src/addr2line.c`: `dwfl_module_getsrc`, then the innermost
/// scope's ancestors from `dwarf_getscopes_die`, call sites from DW_AT_call_file/line/column).
/// Scopes come from a per-CU index (`CompileUnitScopes`) instead of a CU walk per address.
struct InlineChainReader {
    private let module: OpaquePointer
    private var nameCache: [UInt64: String] = [:]
    private var chainCache: [UInt64: [InlineEntry]] = [:]
    private static let chainCacheLimit = 1 << 20

    init(module: OpaquePointer) {
        self.module = module
    }

    /// The chain for `pc` (libdwfl address space), innermost first; empty when DWARF has nothing.
    mutating func chain(at pc: UInt64) -> [InlineEntry] {
        if let cached = chainCache[pc] { return cached }
        let chain = readChain(at: pc)
        if chainCache.count >= Self.chainCacheLimit { chainCache.removeAll(keepingCapacity: true) }
        chainCache[pc] = chain
        return chain
    }

    /// Per-CU data kept between lookups.
    private struct Unit {
        var scopes: CompileUnitScopes
        var files: OpaquePointer?
        var compDir: String?
    }

    private var units: [Dwarf_Off: Unit] = [:]

    private mutating func readChain(at pc: UInt64) -> [InlineEntry] {
        let location = sourceLocation(at: pc)
        var bias: Dwarf_Addr = 0
        guard let cuDie = dwfl_module_addrdie(module, pc, &bias) else { return fallback(location, pc) }
        let unit = self.unit(cuDie)
        let scopes = unit.scopes.scopes
        let functionTags = [Int32(DW_TAG_subprogram), Int32(DW_TAG_inlined_subroutine)]
        let named = unit.scopes.innermost(at: pc &- bias).flatMap { path(from: $0, in: unit).first { functionTags.contains(scopes[$0].tag) } }
        // eu-addr2line names the function at the address but, because dwfl_lineinfo overwrites
        // its address with the line-table row's, walks the inline chain at the row address.
        // Same here, so both agree even where scope ranges have holes inside a row.
        let chainAddress = location?.rowAddress ?? pc
        let innermost = unit.scopes.innermost(at: chainAddress &- bias)
        guard named != nil || innermost != nil else { return fallback(location, pc) }
        let function = named.map { name(ofDieAt: scopes[$0].dieOffset) } ?? symbolName(at: pc)
        var entries = [InlineEntry(function: function, file: location?.file, line: location?.line, column: location?.column)]
        guard let innermost else { return entries }
        let ancestors = path(from: innermost, in: unit)
        let callerTags = [Int32(DW_TAG_subprogram), Int32(DW_TAG_inlined_subroutine), Int32(DW_TAG_entry_point)]
        for (position, index) in ancestors.enumerated() where scopes[index].tag == Int32(DW_TAG_inlined_subroutine) {
            let caller = ancestors[(position + 1)...].first { callerTags.contains(scopes[$0].tag) }
            let callerName = caller.map { name(ofDieAt: scopes[$0].dieOffset) } ?? "??"
            entries.append(callSite(scopes[index], function: callerName, unit: unit))
        }
        return entries
    }

    /// The scope and its physical ancestors, innermost first.
    private func path(from innermost: Int, in unit: Unit) -> [Int] {
        var path: [Int] = []
        var cursor = innermost
        while cursor >= 0 {
            path.append(cursor)
            cursor = unit.scopes.scopes[cursor].parent
        }
        return path
    }

    private func symbolName(at pc: UInt64) -> String {
        dwfl_module_addrname(module, pc).map { String(cString: $0) } ?? "??"
    }

    /// What eu-addr2line prints without a DWARF scope: the ELF symbol name and the line, if any.
    private func fallback(_ location: SourceLocation?, _ pc: UInt64) -> [InlineEntry] {
        guard let location else { return [] }
        return [InlineEntry(function: symbolName(at: pc), file: location.file, line: location.line, column: location.column)]
    }

    private mutating func unit(_ cuDie: UnsafeMutablePointer<Dwarf_Die>) -> Unit {
        let offset = dwarf_dieoffset(cuDie)
        if let unit = units[offset] { return unit }
        var files: OpaquePointer? = nil
        if dwarf_getsrcfiles(cuDie, &files, nil) != 0 { files = nil }
        let unit = Unit(scopes: CompileUnitScopes(cuDie: cuDie), files: files, compDir: Self.compilationDirectory(cuDie))
        units[offset] = unit
        return unit
    }

    private func callSite(_ scope: CompileUnitScopes.Scope, function: String, unit: Unit) -> InlineEntry {
        guard let files = unit.files, let index = scope.callFile, let cFile = dwarf_filesrc(files, index, nil, nil) else {
            return InlineEntry(function: function)
        }
        return InlineEntry(function: function, file: Self.absolute(String(cString: cFile), compDir: unit.compDir),
                           line: scope.callLine, column: scope.callColumn == 0 ? nil : scope.callColumn)
    }

    private mutating func name(ofDieAt offset: Dwarf_Off) -> String {
        if let cached = nameCache[offset] { return cached }
        var bias: Dwarf_Addr = 0
        var die = Dwarf_Die()
        guard let dwarf = dwfl_module_getdwarf(module, &bias), dwarf_offdie(dwarf, offset, &die) != nil else { return "??" }
        return dieName(&die)
    }

    /// Absolute file names by the C string libdw returned (stable while the module is loaded).
    private var fileNames: [UnsafePointer<CChar>: String] = [:]

    private typealias SourceLocation = (file: String, line: Int, column: Int?, rowAddress: UInt64)

    private mutating func sourceLocation(at pc: UInt64) -> SourceLocation? {
        guard let line = dwfl_module_getsrc(module, pc) else { return nil }
        var address: Dwarf_Addr = 0
        var lineNumber: Int32 = 0
        var column: Int32 = 0
        guard let cFile = dwfl_lineinfo(line, &address, &lineNumber, &column, nil, nil) else { return nil }
        let file: String
        if let cached = fileNames[cFile] {
            file = cached
        } else {
            let name = String(cString: cFile)
            file = name.hasPrefix("/") ? name : Self.absolute(name, compDir: dwfl_linecu(line).flatMap { Self.compilationDirectory($0) })
            fileNames[cFile] = file
        }
        return (file, Int(lineNumber), column == 0 ? nil : Int(column), address)
    }

    /// `get_diename` of eu-addr2line: linkage name (integrating abstract origins), else DW_AT_name.
    private mutating func dieName(_ die: UnsafeMutablePointer<Dwarf_Die>) -> String {
        let offset = dwarf_dieoffset(die)
        if let cached = nameCache[offset] { return cached }
        var attribute = Dwarf_Attribute()
        var cName = dwarf_formstring(dwarf_attr_integrate(die, UInt32(DW_AT_MIPS_linkage_name), &attribute))
        if cName == nil { cName = dwarf_formstring(dwarf_attr_integrate(die, UInt32(DW_AT_linkage_name), &attribute)) }
        if cName == nil { cName = dwarf_diename(die) }
        let name = cName.map { String(cString: $0) } ?? "??"
        nameCache[offset] = name
        return name
    }

    private static func compilationDirectory(_ cu: UnsafeMutablePointer<Dwarf_Die>) -> String? {
        var attribute = Dwarf_Attribute()
        return dwarf_formstring(dwarf_attr(cu, UInt32(DW_AT_comp_dir), &attribute)).map { String(cString: $0) }
    }

    private static func absolute(_ file: String, compDir: String?) -> String {
        guard !file.hasPrefix("/"), let compDir else { return file }
        return compDir + "/" + file
    }
}
