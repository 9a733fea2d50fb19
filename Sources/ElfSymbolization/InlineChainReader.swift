internal import CElfUtils
import KernelLog
import Glibc

/// Source location and inline chain for one address of one module, read with
/// `dwfl_module_getsrc` + `dwfl_module_addrdie` + `dwarf_getscopes(_die)` exactly the way
/// `eu-addr2line -i -f` does (elfutils `src/addr2line.c`), so the output is comparable line by line.
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

    private mutating func readChain(at pc: UInt64) -> [InlineEntry] {
        let location = sourceLocation(at: pc)
        var bias: Dwarf_Addr = 0
        guard let cuDie = dwfl_module_addrdie(module, pc, &bias) else {
            return location.map { [InlineEntry(function: "??", file: $0.file, line: $0.line, column: $0.column)] } ?? []
        }
        var scopes: UnsafeMutablePointer<Dwarf_Die>? = nil
        let count = dwarf_getscopes(cuDie, pc &- bias, &scopes)
        guard count > 0, let found = scopes else {
            free(scopes)
            return location.map { [InlineEntry(function: "??", file: $0.file, line: $0.line, column: $0.column)] } ?? []
        }
        let innermostName = innermostFunctionName(found, count: Int(count))
        var innermost = found[0]
        let offset = dwarf_dieoffset(&innermost)
        free(found)

        var entries = [InlineEntry(function: innermostName, file: location?.file, line: location?.line, column: location?.column)]
        entries.append(contentsOf: callers(ofDieAt: offset, cuDie: cuDie))
        return entries
    }

    /// Name as eu-addr2line's `print_dwarf_function` picks it: the first subprogram or inlined
    /// subroutine among the scopes.
    private mutating func innermostFunctionName(_ scopes: UnsafeMutablePointer<Dwarf_Die>, count: Int) -> String {
        for index in 0..<count {
            let tag = dwarf_tag(&scopes[index])
            if tag == Int32(DW_TAG_subprogram) || tag == Int32(DW_TAG_inlined_subroutine) {
                return dieName(&scopes[index])
            }
        }
        return "??"
    }

    /// Callers with their call sites, from `dwarf_getscopes_die` on the innermost scope.
    private mutating func callers(ofDieAt offset: Dwarf_Off, cuDie: UnsafeMutablePointer<Dwarf_Die>) -> [InlineEntry] {
        var bias: Dwarf_Addr = 0
        var subroutine = Dwarf_Die()
        guard let dwarf = dwfl_module_getdwarf(module, &bias), dwarf_offdie(dwarf, offset, &subroutine) != nil else { return [] }
        var scopes: UnsafeMutablePointer<Dwarf_Die>? = nil
        let count = Int(dwarf_getscopes_die(&subroutine, &scopes))
        defer { free(scopes) }
        guard count > 1, let scopes else { return [] }
        var cu = Dwarf_Die()
        var files: OpaquePointer? = nil
        guard dwarf_diecu(&scopes[0], &cu, nil, nil) != nil, dwarf_getsrcfiles(cuDie, &files, nil) == 0, let files else { return [] }
        let compDir = Self.compilationDirectory(&cu)
        var entries: [InlineEntry] = []
        for index in 0..<(count - 1) where dwarf_tag(&scopes[index]) == Int32(DW_TAG_inlined_subroutine) {
            var parentName = "??"
            for parent in (index + 1)..<count {
                let tag = dwarf_tag(&scopes[parent])
                if tag == Int32(DW_TAG_inlined_subroutine) || tag == Int32(DW_TAG_entry_point) || tag == Int32(DW_TAG_subprogram) {
                    parentName = dieName(&scopes[parent])
                    break
                }
            }
            entries.append(callSite(of: &scopes[index], function: parentName, files: files, compDir: compDir))
        }
        return entries
    }

    private func callSite(of die: UnsafeMutablePointer<Dwarf_Die>, function: String, files: OpaquePointer, compDir: String?) -> InlineEntry {
        var attribute = Dwarf_Attribute()
        var value: Dwarf_Word = 0
        var file: String? = nil
        if dwarf_formudata(dwarf_attr(die, UInt32(DW_AT_call_file), &attribute), &value) == 0,
           let cFile = dwarf_filesrc(files, Int(value), nil, nil) {
            file = Self.absolute(String(cString: cFile), compDir: compDir)
        }
        guard let file else { return InlineEntry(function: function) }
        var line = 0
        var column = 0
        if dwarf_formudata(dwarf_attr(die, UInt32(DW_AT_call_line), &attribute), &value) == 0 { line = Int(value) }
        if dwarf_formudata(dwarf_attr(die, UInt32(DW_AT_call_column), &attribute), &value) == 0 { column = Int(value) }
        return InlineEntry(function: function, file: file, line: line, column: column == 0 ? nil : column)
    }

    private func sourceLocation(at pc: UInt64) -> (file: String, line: Int, column: Int?)? {
        guard let line = dwfl_module_getsrc(module, pc) else { return nil }
        var address: Dwarf_Addr = 0
        var lineNumber: Int32 = 0
        var column: Int32 = 0
        guard let cFile = dwfl_lineinfo(line, &address, &lineNumber, &column, nil, nil) else { return nil }
        var file = String(cString: cFile)
        if !file.hasPrefix("/") {
            file = Self.absolute(file, compDir: dwfl_linecu(line).flatMap { Self.compilationDirectory($0) })
        }
        return (file, Int(lineNumber), column == 0 ? nil : Int(column))
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
