import TraceEvents

extension Rule {
    /// Leftover ordered extents at evict: `"found ordered extent %llu %llu on inode cleanup"`.
    public static let leakAtEvictOrderedExtent = Rule(
        id: "DIO003", name: "leak-at-evict/ordered-extent", defaultSeverity: .error,
        shortDescription: "Ordered extent still open when the inode was evicted",
        fullDescription: "An ordered extent added with btrfs_ordered_extent_add was never removed before btrfs_inode_evict. btrfs_destroy_inode prints 'found ordered extent ... on inode cleanup'.",
        help: "The ordered extent's completion (btrfs_finish_ordered_io) never ran; check the bio/end_io path of the I/O that created it.")
}

/// Check of `leakAtEvictOrderedExtent`.
enum OrderedExtentAtEviction: LedgerCheck {
    static var rule: Rule { .leakAtEvictOrderedExtent }

    static let moments: [LedgerMoment.Kind] = [.inodeEvicted]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .inodeEvicted(let e) = moment else { return [] }
        let key = e.state.key
        return e.state.openOrderedExtents.map { oe in
            FindingDraft(rule: rule, subject: .inode(key), amount: Int64(clamping: oe.remaining), unit: .bytes,
                         message: "Ordered extent [\(oe.fileOffset), +\(oe.length)) of inode \(key.inode) was never removed before eviction; btrfs_destroy_inode prints 'found ordered extent \(oe.fileOffset) \(oe.length) on inode cleanup'.",
                         chain: oe.chain, extra: [e.evict], lossy: e.lossy)
        }
    }
}
