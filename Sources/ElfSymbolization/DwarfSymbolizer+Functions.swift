/// A function symbol of a symbolized file, at its link-time address (libdwfl's offline
/// placement for modules).
public struct ElfFunctionSymbol: Sendable, Hashable {
    public var name: String
    public var address: UInt64
    public var size: UInt64
}

extension DwarfSymbolizer {
    /// `STT_FUNC` symbols with a non-zero size of vmlinux (`module == nil`) or of a module, by address.
    public func functionSymbols(module: String? = nil) -> [ElfFunctionSymbol] {
        guard let loaded = try? self.module(named: module) else { return [] }
        let bias = module == nil ? loaded.bias : 0
        return loaded.symbols.symbols
            .filter { $0.isFunction && $0.size > 0 }
            .map { ElfFunctionSymbol(name: $0.name, address: $0.address &- bias, size: $0.size) }
    }
}
