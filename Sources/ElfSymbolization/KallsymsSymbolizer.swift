import Foundation
public import KernelLog

/// Symbol-level symbolizer over a copy of `/proc/kallsyms`: `function+offset` ↔ address, with
/// module names and the kernel's next-symbol sizes for telling same-named static functions apart.
///
/// A copy read without root (or with `kptr_restrict`) has every address zeroed; then names still
/// resolve (with a diagnostic) but raw addresses cannot, and `hasAddresses` is false.
public final class KallsymsSymbolizer: Symbolizer, Sendable {
    private let table: KallsymsTable

    /// Reads a kallsyms copy (plain text; `/proc/kallsyms` itself works).
    public convenience init(contentsOf path: String) throws(ElfSymbolizationError) {
        let kind = try FileProbe.probe(path)
        guard kind == .other else {
            throw ElfSymbolizationError(code: .malformedInput, path: path,
                                        message: "expected kallsyms text; decompress the file first")
        }
        let data: Data
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ElfSymbolizationError(code: .unreadable, path: path, message: "cannot open for reading")
            }
            defer { try? handle.close() }
            data = try handle.readToEnd() ?? Data()
        } catch let error as ElfSymbolizationError {
            throw error
        } catch {
            throw ElfSymbolizationError(code: .unreadable, path: path, message: "read failed: \(error)")
        }
        try self.init(text: String(decoding: data, as: UTF8.self), source: path)
    }

    /// Parses kallsyms text; `source` names it in errors.
    public init(text: String, source: String = "<kallsyms>") throws(ElfSymbolizationError) {
        table = KallsymsTable(text: Substring(text))
        guard !table.entries.isEmpty else {
            throw ElfSymbolizationError(code: .malformedInput, path: source,
                                        message: "no `address type name [module]` lines found")
        }
    }

    /// All entries in file order.
    public var entries: [KallsymsEntry] { table.entries }
    /// Lines that did not parse as `address type name [module]`.
    public var skippedLines: Int { table.skippedLines }
    /// False when the copy has only zero addresses (read without root).
    public var hasAddresses: Bool { table.hasAddresses }

    /// Runtime address of `function+offset` (nil module: core kernel), disambiguated by `size`.
    public func address(ofFunction function: String, offset: UInt64 = 0, size: UInt64? = nil, module: String? = nil) -> UInt64? {
        guard hasAddresses, let index = choose(function, module: module, size: size).index else { return nil }
        return table.entries[index].address &+ offset
    }

    /// The symbol containing a runtime address.
    public func location(of address: UInt64) -> KallsymsLocation? {
        hasAddresses ? table.locate(address) : nil
    }

    /// Picks among same-named symbols by size; returns the entry index and any diagnostics.
    func choose(_ name: String, module: String?, size: UInt64?) -> (index: Int?, diagnostics: [String]) {
        let candidates = table.candidates(module: module, name: name)
        guard let first = candidates.first else { return (nil, []) }
        guard hasAddresses else {
            let note = "kallsyms copy has zeroed addresses (read without root?); sizes and addresses unavailable"
            return (first, candidates.count > 1 ? [note, "ambiguous symbol \(name): \(candidates.count) candidates"] : [note])
        }
        guard candidates.count > 1 || size != nil else { return (first, []) }
        guard let size else { return (first, ["ambiguous symbol \(name): \(candidates.count) candidates; used the first"]) }
        let matching = candidates.filter { table.size(ofEntryAt: $0) == size }
        switch matching.count {
        case 1: return (matching[0], [])
        case 0:
            let note = "no symbol \(name) with size \(hex(size)) in kallsyms (different build?)"
            return (first, candidates.count > 1 ? [note + "; used the first of \(candidates.count)"] : [note])
        default: return (matching[0], ["ambiguous symbol \(name): \(matching.count) candidates with size \(hex(size)); used the first"])
        }
    }
}
