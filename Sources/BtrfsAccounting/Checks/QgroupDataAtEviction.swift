import TraceEvents

extension Rule {
    /// `btrfs_qgroup_check_reserved_leak`.
    public static let leakAtEvictQgroup = Rule(
        id: "DIO004", name: "leak-at-evict/qgroup-reserved", defaultSeverity: .note,
        shortDescription: "qgroup data reservation of the inode not released at eviction",
        fullDescription: "btrfs_qgroup_reserve_data reserved bytes for the inode that no btrfs_qgroup_release_data released before btrfs_inode_evict. Changeset frees (btrfs_free_reserved_data_space on DIO error and unused-tail paths) emit no event, so healthy kernels leave a residue here: reported as a note, never an error.",
        help: "Compare with qgroup_update_reserve for the subvolume's qgroup; a kernel leak prints 'leaking qgroup reserved space'.")
}

/// Check of `leakAtEvictQgroup`.
enum QgroupDataAtEviction: LedgerCheck {
    static var rule: Rule { .leakAtEvictQgroup }

    static let moments: [LedgerMoment.Kind] = [.inodeEvicted]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .inodeEvicted(let e) = moment else { return [] }
        let key = e.state.key
        let held = e.state.qgroupData.held(baselineKnown: e.state.baselineKnown)
        guard e.state.qgroupData.touched && held > 0 else { return [] }
        return [FindingDraft(rule: rule, subject: .inode(key), amount: held, unit: .bytes,
                             message: "Inode \(key.inode) was evicted with \(held) bytes of qgroup data reservation not released by any traced event.",
                             chain: e.state.qgroupData.chain, extra: [e.evict], lossy: e.lossy)]
    }
}
