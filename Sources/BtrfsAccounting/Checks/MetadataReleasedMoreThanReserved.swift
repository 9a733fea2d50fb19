import TraceEvents

extension Rule {
    /// I2 below zero on a kernel where it is exact.
    public static let metadataReleasedMoreThanReserved = Rule(
        id: "DIO032", name: "metadata-released-more-than-reserved", defaultSeverity: .warning,
        shortDescription: "More metadata reservation released than reserved",
        fullDescription: "On a trace where the inode's metadata reservation is exact (4.x, or 5.x/6.x with the btrfs work-item events that bound ordered-extent completion), the inode released or used more of its block reservation than it reserved: a reservation event is missing from the trace, or the kernel released twice.",
        help: "Check for lost events first; a double release shows in the kernel as a later WARN in btrfs_destroy_inode or an underflow of block_rsv.reserved.")
}

/// Check of `metadataReleasedMoreThanReserved`.
enum MetadataReleasedMoreThanReserved: LedgerCheck {
    static var rule: Rule { .metadataReleasedMoreThanReserved }

    static let moments: [LedgerMoment.Kind] = [.inodeEvicted]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .inodeEvicted(let e) = moment, context.metadataExact, !context.isLegacy, e.state.baselineKnown,
              let meta = e.metadata, meta.unexplainedDeficit > 0 else { return [] }
        let key = e.state.key
        return [FindingDraft(rule: rule, subject: .inode(key), amount: -meta.balance.sum, unit: .bytes,
                             message: "Inode \(key.inode) (root \(key.root)) released \(-meta.balance.sum) bytes more metadata reservation than it reserved (reserved \(meta.reserved), released \(meta.released), moved to the delayed inode \(meta.migrated), used for tree blocks \(meta.consumed)): a reservation event is missing from the trace or was accounted twice.",
                             chain: meta.balance.chain, extra: [e.evict], lossy: e.lossy)]
    }
}
