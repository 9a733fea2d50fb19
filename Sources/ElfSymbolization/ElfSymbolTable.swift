internal import CElfUtils

/// One symbol of a module's ELF symbol table, in libdwfl's address space.
struct ElfSymbol: Sendable, Hashable {
    var name: String
    var address: UInt64
    /// `st_size` from the symbol table (0 when unknown).
    var size: UInt64
    /// Size the way the kernel prints it in `func+off/SIZE`: distance to the next symbol.
    var kallsymsSize: UInt64
    var isFunction: Bool
    var isGlobal: Bool
}

/// Symbol table of one module with a name index, built once (`dwfl_module_getsym_info`).
struct ElfSymbolTable {
    private(set) var symbols: [ElfSymbol] = []
    private var byName: [String: [Int]] = [:]

    init(module: OpaquePointer) {
        let count = dwfl_module_getsymtab(module)
        guard count > 1 else { return }
        var collected: [ElfSymbol] = []
        collected.reserveCapacity(Int(count))
        for index in 1..<count {
            var sym = GElf_Sym()
            var address: GElf_Addr = 0
            var sectionIndex: GElf_Word = 0
            guard let cName = dwfl_module_getsym_info(module, index, &sym, &address, &sectionIndex, nil, nil),
                  cName.pointee != 0, sectionIndex != 0 else { continue }
            switch Int32(sym.st_info & 0xf) {
            case STT_SECTION, STT_FILE, STT_TLS: continue
            default: break
            }
            let isFunction = Int32(sym.st_info & 0xf) == STT_FUNC
            let isGlobal = Int32(sym.st_info >> 4) == STB_GLOBAL
            collected.append(ElfSymbol(name: String(cString: cName), address: address, size: sym.st_size,
                                       kallsymsSize: 0, isFunction: isFunction, isGlobal: isGlobal))
        }
        collected.sort { $0.address < $1.address }
        var nextDistinct: UInt64? = nil
        for index in collected.indices.reversed() {
            let address = collected[index].address
            if let next = nextDistinct, next > address { collected[index].kallsymsSize = next - address }
            else { collected[index].kallsymsSize = collected[index].size }
            if nextDistinct.map({ address < $0 }) ?? true { nextDistinct = address }
        }
        symbols = collected
        for (index, symbol) in collected.enumerated() { byName[symbol.name, default: []].append(index) }
    }

    /// The symbol containing `address`: a sized symbol covering it, else the closest sizeless one
    /// below it; among symbols at one address functions and globals win (like `dwfl_module_addrinfo`,
    /// which scans the whole table per call; this is a binary search).
    func symbol(containing address: UInt64) -> (symbol: ElfSymbol, offset: UInt64)? {
        var low = 0
        var high = symbols.count
        while low < high {
            let middle = (low + high) / 2
            if symbols[middle].address <= address { low = middle + 1 } else { high = middle }
        }
        var best: ElfSymbol? = nil
        var index = low - 1
        var steps = 0
        while index >= 0 && steps < 64 {
            let candidate = symbols[index]
            if let chosen = best, candidate.address < chosen.address { break }
            let covers = candidate.size > 0 ? address - candidate.address < candidate.size : true
            if covers && (best.map { Self.rank(candidate) > Self.rank($0) } ?? true) { best = candidate }
            index -= 1
            steps += 1
        }
        guard let best else { return nil }
        return (best, address - best.address)
    }

    private static func rank(_ symbol: ElfSymbol) -> Int {
        (symbol.size > 0 ? 4 : 0) + (symbol.isFunction ? 2 : 0) + (symbol.isGlobal ? 1 : 0)
    }

    func candidates(named name: String) -> [ElfSymbol] {
        (byName[name] ?? []).map { symbols[$0] }
    }

    /// Picks the symbol a `name+offset/size` frame means. Same-named static functions are told
    /// apart by the printed size (either `st_size` or the kernel's next-symbol distance).
    func resolve(name: String, offset: UInt64, size: UInt64?) -> (symbol: ElfSymbol, diagnostics: [String])? {
        let all = candidates(named: name)
        guard let first = all.first else { return nil }
        guard all.count > 1 else { return (first, []) }
        var matching = all
        if let size {
            matching = all.filter { $0.size == size || $0.kallsymsSize == size }
            if matching.isEmpty {
                return (first, ["\(all.count) symbols named \(name), none with size \(hex(size)); used the first at \(hex(first.address))"])
            }
        }
        let fitting = matching.filter { $0.size == 0 || offset < $0.size }
        if !fitting.isEmpty { matching = fitting }
        guard let chosen = matching.first else { return (first, []) }
        if matching.count > 1 {
            let sizeText = size.map { " with size \(hex($0))" } ?? ""
            return (chosen, ["ambiguous symbol \(name): \(matching.count) candidates\(sizeText); used the first at \(hex(chosen.address))"])
        }
        return (chosen, [])
    }
}

func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
