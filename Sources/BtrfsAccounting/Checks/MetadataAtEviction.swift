import TraceEvents

extension Rule {
    /// `WARN_ON(inode->block_rsv.reserved)` / 4.x delalloc metadata reservation at evict.
    public static let leakAtEvictMetadata = Rule(
        id: "DIO002", name: "leak-at-evict/metadata-reservation", defaultSeverity: .error,
        shortDescription: "Inode metadata reservation still held at eviction",
        fullDescription: "The inode's delalloc metadata reservation (btrfs_space_reservation type delalloc) did not return to zero by btrfs_inode_evict on a trace where this balance is exact: 4.x, or 5.x/6.x with the btrfs work-item events, where what the block reservation moves to the delayed inode and spends on tree blocks while an ordered extent is finished is accounted (README, Balances). btrfs_destroy_inode warns WARN_ON(inode->block_rsv.reserved).",
        help: "Look for a reserve without a matching release by the same task, typically on an I/O error path.")
}

/// Check of `leakAtEvictMetadata`.
enum MetadataAtEviction: LedgerCheck {
    static var rule: Rule { .leakAtEvictMetadata }

    static let moments: [LedgerMoment.Kind] = [.inodeEvicted]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .inodeEvicted(let e) = moment, context.metadataExact, let meta = e.metadata else { return [] }
        let key = e.state.key
        let held = meta.balance.held(baselineKnown: e.state.baselineKnown)
        guard held > 0 else { return [] }
        var message = "Inode \(key.inode) (root \(key.root)) was evicted holding \(held) bytes of its metadata reservation"
        if context.isLegacy {
            message += " (delalloc reserve minus release, exact on this 4.x-era trace); btrfs_destroy_inode warns about outstanding extents."
        } else {
            message += " (reserved \(meta.reserved), released \(meta.released), moved to the delayed inode \(meta.migrated), used for tree blocks \(meta.consumed)); btrfs_destroy_inode warns WARN_ON(inode->block_rsv.reserved) and WARN_ON(inode->block_rsv.size)."
        }
        if !meta.reservers.isEmpty {
            message += " Reserved by \(meta.reservers.map(\.description).joined(separator: ", ")) since the balance was last zero."
        }
        return [FindingDraft(rule: rule, subject: .inode(key), amount: held, unit: .bytes, message: message,
                             chain: meta.balance.chain, extra: [e.evict], lossy: e.lossy)]
    }
}
