import TraceEvents

extension Rule {
    /// `btrfs_destroy_inode` would warn: `WARN_ON(inode->outstanding_extents)` (4.x: the same field).
    public static let leakAtEvictOutstandingExtents = Rule(
        id: "DIO001", name: "leak-at-evict/outstanding-extents", defaultSeverity: .error,
        shortDescription: "Outstanding extents left when the inode was evicted",
        fullDescription: "The replayed btrfs_inode_mod_outstanding_extents sum of the inode is not zero at btrfs_inode_evict. btrfs_destroy_inode checks WARN_ON(inode->outstanding_extents); a reservation was made for an extent that never completed or was never released.",
        help: "Find the I/O whose reservation was not released (the events listed); on 4.x kernels this is the generic/095 leak fixed by 50745b0a7f46.")
}

/// Check of `leakAtEvictOutstandingExtents`.
enum OutstandingExtentsAtEviction: LedgerCheck {
    static var rule: Rule { .leakAtEvictOutstandingExtents }

    static let moments: [LedgerMoment.Kind] = [.inodeEvicted]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .inodeEvicted(let e) = moment else { return [] }
        let key = e.state.key
        let held = e.state.outstanding.held(baselineKnown: e.state.baselineKnown)
        guard e.state.outstanding.touched && held > 0 else { return [] }
        return [FindingDraft(rule: rule, subject: .inode(key), amount: held, unit: .extents,
                             message: "Inode \(key.inode) (root \(key.root)) was evicted with \(held) outstanding extent\(held == 1 ? "" : "s") still counted; btrfs_destroy_inode warns WARN_ON(inode->outstanding_extents).",
                             chain: e.state.outstanding.chain, extra: [e.evict], lossy: e.lossy)]
    }
}
