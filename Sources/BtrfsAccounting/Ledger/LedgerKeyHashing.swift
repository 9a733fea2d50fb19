import TraceEvents

/// The ledger's dictionary keys hash their words with two 64×64→128-bit multiply-folds (wyhash's
/// mixing step) seeded by the dictionary, instead of the standard library's SipHash: an inode key
/// is five words, which SipHash took about 500 instructions to find (five `combine` calls and a
/// finalization), on nearly every accounting event. `hash(into:)` stays the synthesized one, so
/// equal keys hash equally on both paths.
enum LedgerKeyHash {
    private static let k0: UInt64 = 0xA076_1D64_78BD_642F
    private static let k1: UInt64 = 0xE703_7ED1_A0B4_28DB
    private static let k2: UInt64 = 0x8EBC_6AF0_9C88_C6E3
    private static let k3: UInt64 = 0x5899_65CC_7537_4CC3

    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inline(__always)
    static func hash(seed: Int, _ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> Int {
        let h = fold(a ^ k0 ^ UInt64(bitPattern: Int64(seed)), b ^ k1)
        return Int(truncatingIfNeeded: fold(h ^ c ^ k2, d ^ k3 ^ h))
    }

    /// The filesystem's two words, the low one tagged so that no filesystem differs from a zero id.
    @inline(__always)
    static func words(_ id: FilesystemID?) -> (UInt64, UInt64) {
        guard let id else { return (0, 0x9E37_79B9_7F4A_7C15) }
        return (id.high, id.low)
    }

    @inline(__always)
    static func word(_ space: SpaceKind) -> UInt64 {
        switch space {
        case .data: 1
        case .metadata: 2
        case .system: 4
        case .other(let flags): flags ^ 0xC2B2_AE3D_27D4_EB4F
        }
    }
}

extension InodeKey {
    func _rawHashValue(seed: Int) -> Int {
        let (high, low) = LedgerKeyHash.words(filesystem)
        return LedgerKeyHash.hash(seed: seed, high, low, root, inode)
    }
}

extension FilesystemInode {
    func _rawHashValue(seed: Int) -> Int {
        let (high, low) = LedgerKeyHash.words(filesystem)
        return LedgerKeyHash.hash(seed: seed, high, low, 0, inode)
    }
}

extension Ledger.SpaceKey {
    func _rawHashValue(seed: Int) -> Int {
        let (high, low) = LedgerKeyHash.words(filesystem)
        return LedgerKeyHash.hash(seed: seed, high, low, LedgerKeyHash.word(space), 0)
    }
}

extension Ledger.FilesystemIDBox {
    func _rawHashValue(seed: Int) -> Int {
        let (high, low) = LedgerKeyHash.words(id)
        return LedgerKeyHash.hash(seed: seed, high, low, 0, 0)
    }
}

/// A task (its pid) as the key of the ledger's per-task dictionaries: an `Int32` key hashes with
/// SipHash, about 115 instructions per lookup, on most accounting events.
struct TaskKey: Hashable, Sendable {
    var pid: Int32
    init(_ pid: Int32) { self.pid = pid }
}

extension TaskKey {
    func _rawHashValue(seed: Int) -> Int {
        LedgerKeyHash.hash(seed: seed, UInt64(UInt32(bitPattern: pid)), 0, 0, 0)
    }
}

extension Ledger.PidInode {
    func _rawHashValue(seed: Int) -> Int {
        LedgerKeyHash.hash(seed: seed, UInt64(UInt32(bitPattern: pid)), 0, 0, inode)
    }
}

extension ValueChainKey {
    func _rawHashValue(seed: Int) -> Int {
        switch self {
        case .bytesMayUse(let key):
            let (high, low) = LedgerKeyHash.words(key.filesystem)
            return LedgerKeyHash.hash(seed: seed, high, low, LedgerKeyHash.word(key.space), 1)
        case .qgroupReserve(let key):
            let (high, low) = LedgerKeyHash.words(key.filesystem)
            return LedgerKeyHash.hash(seed: seed, high, low, key.qgroup, UInt64(bitPattern: Int64(key.type.hashValue)) | 2)
        }
    }
}
