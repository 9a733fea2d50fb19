/// One line of `/proc/kallsyms`: `address type name [module]`.
public struct KallsymsEntry: Sendable, Hashable {
    public var address: UInt64
    /// `nm`-style type letter (`t`, `T`, `d`, `A`, ...).
    public var type: Character
    public var name: String
    /// Module name without brackets; nil for the core kernel.
    public var module: String?

    public init(address: UInt64, type: Character, name: String, module: String? = nil) {
        self.address = address
        self.type = type
        self.name = name
        self.module = module
    }
}

/// A symbol found for an address, with the size the kernel would print.
public struct KallsymsLocation: Sendable, Hashable {
    public var name: String
    public var module: String?
    /// Start of the symbol.
    public var address: UInt64
    public var offset: UInt64
    /// Distance to the next symbol, as the kernel computes `func+off/SIZE`; 0 when unknown.
    public var size: UInt64
}

/// Parsed kallsyms with an address-sorted index and a (module, name) index.
struct KallsymsTable {
    struct Key: Hashable {
        var module: String?
        var name: String
    }

    private(set) var entries: [KallsymsEntry] = []
    private(set) var skippedLines = 0
    /// Indices into `entries` of located symbols (non-absolute, non-zero), sorted by address.
    private var sorted: [Int] = []
    /// Size per entry index (0 when unknown).
    private var sizes: [Int: UInt64] = [:]
    private var byName: [Key: [Int]] = [:]
    let hasAddresses: Bool

    /// Largest offset accepted past the last symbol of a module or of the core kernel.
    static let lastSymbolReach: UInt64 = 1 << 20

    init(text: Substring) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let entry = Self.parse(line) else { skippedLines += 1; continue }
            entries.append(entry)
        }
        hasAddresses = entries.contains { $0.address != 0 && !Self.isAbsolute($0) }
        for (index, entry) in entries.enumerated() {
            byName[Key(module: entry.module, name: entry.name), default: []].append(index)
        }
        sorted = entries.indices.filter { entries[$0].address != 0 && !Self.isAbsolute(entries[$0]) }
        sorted.sort { entries[$0].address < entries[$1].address }
        computeSizes()
    }

    static func isAbsolute(_ entry: KallsymsEntry) -> Bool { entry.type == "A" || entry.type == "a" }

    static func parse(_ line: Substring) -> KallsymsEntry? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 3, fields[1].count == 1, let type = fields[1].first,
              let address = UInt64(fields[0], radix: 16) else { return nil }
        var module: String? = nil
        if fields.count >= 4, fields[3].hasPrefix("["), fields[3].hasSuffix("]") {
            module = String(fields[3].dropFirst().dropLast())
        }
        return KallsymsEntry(address: address, type: type, name: String(fields[2]), module: module)
    }

    /// Size = distance to the next higher address in the same module (or the core kernel).
    private mutating func computeSizes() {
        var nextByModule: [String?: UInt64] = [:]
        for position in sorted.indices.reversed() {
            let index = sorted[position]
            let entry = entries[index]
            if let next = nextByModule[entry.module], next > entry.address {
                sizes[index] = next - entry.address
            }
            if nextByModule[entry.module].map({ entry.address < $0 }) ?? true {
                nextByModule[entry.module] = entry.address
            }
        }
    }

    func size(ofEntryAt index: Int) -> UInt64 { sizes[index] ?? 0 }

    func candidates(module: String?, name: String) -> [Int] {
        byName[Key(module: module, name: name)] ?? []
    }

    /// The symbol containing `address`, or nil when it lies before the first or far past the last.
    func locate(_ address: UInt64) -> KallsymsLocation? {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if entries[sorted[middle]].address <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let index = sorted[low - 1]
        let entry = entries[index]
        let offset = address - entry.address
        let size = size(ofEntryAt: index)
        if size == 0 ? offset >= Self.lastSymbolReach : offset >= size { return nil }
        return KallsymsLocation(name: entry.name, module: entry.module, address: entry.address, offset: offset, size: size)
    }
}
