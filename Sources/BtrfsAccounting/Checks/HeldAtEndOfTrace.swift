import TraceEvents

extension Rule {
    /// Per-inode balance still non-zero at the end of the trace without eviction.
    public static let heldAtEndOfTrace = Rule(
        id: "DIO021", name: "held-at-end-of-trace", defaultSeverity: .warning,
        shortDescription: "Reservation still held when the trace ended",
        fullDescription: "The inode still had outstanding extents or open ordered extents when the trace ended and the inode was not evicted. This is normal if the trace stopped while I/O was in flight; it is a leak if the filesystem was unmounted afterwards.",
        help: "Capture through umount to let dio-trace decide.")
}

/// Check of `heldAtEndOfTrace`.
enum HeldAtEndOfTrace: LedgerCheck {
    static var rule: Rule { .heldAtEndOfTrace }

    static let moments: [LedgerMoment.Kind] = [.traceEndedWithInode]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .traceEndedWithInode(let state, _) = moment else { return [] }
        let key = state.key
        let lossy = state.sawDataLossSinceStart || context.lossSeen
        var drafts: [FindingDraft] = []
        let held = state.outstanding.held(baselineKnown: state.baselineKnown)
        if state.outstanding.touched && held > 0 {
            drafts.append(FindingDraft(rule: rule, subject: .inode(key), amount: held, unit: .extents,
                                       message: "Inode \(key.inode) still had \(held) outstanding extent\(held == 1 ? "" : "s") when the trace ended (no eviction seen).",
                                       chain: state.outstanding.chain, lossy: lossy, once: true))
        }
        for oe in state.openOrderedExtents where context.sawOrderedExtentRemove && !OrderedExtentNeverFinished.isOld(oe, context) {
            drafts.append(FindingDraft(rule: rule, subject: .inode(key), amount: Int64(clamping: oe.remaining), unit: .bytes,
                                       message: "Ordered extent [\(oe.fileOffset), +\(oe.length)) of inode \(key.inode) was still open when the trace ended.",
                                       chain: oe.chain, lossy: lossy))
        }
        return drafts
    }
}
