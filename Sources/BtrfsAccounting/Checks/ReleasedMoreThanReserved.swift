import TraceEvents

extension Rule {
    /// Release without a reservation (with a known baseline).
    public static let releasedMoreThanReserved = Rule(
        id: "DIO030", name: "released-more-than-reserved", defaultSeverity: .error,
        shortDescription: "More released than reserved",
        fullDescription: "The inode was created inside the trace (so its starting balance is known to be zero) and its outstanding-extent count went below zero, or an ordered extent was removed that was never added.",
        help: "A double release corrupts the reservation accounting; the kernel warns in btrfs_mod_outstanding_extents or later in destroy_inode.")
}

/// Check of `releasedMoreThanReserved`.
enum ReleasedMoreThanReserved: LedgerCheck {
    static var rule: Rule { .releasedMoreThanReserved }

    static let moments: [LedgerMoment.Kind] = [.outstandingChanged, .unmatchedOrderedExtentRemove]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        switch moment {
        case .outstandingChanged(let state, _, _, _):
            guard state.baselineKnown && state.outstanding.sum < 0 else { return [] }
            return [FindingDraft(rule: rule, subject: .inode(state.key), amount: state.outstanding.sum, unit: .extents,
                                 message: "Outstanding extents of inode \(state.key.inode) went below zero (\(state.outstanding.sum)) although the inode was created in this trace.",
                                 chain: state.outstanding.chain, lossy: state.sawDataLossSinceStart, once: true)]
        case .unmatchedOrderedExtentRemove(let state, let oe, let ref):
            guard state.baselineKnown else { return [] }
            var chain = EventChain()
            chain.append(ref)
            return [FindingDraft(rule: rule, subject: .inode(state.key), amount: Int64(clamping: oe.length), unit: .bytes,
                                 message: "Ordered extent [\(oe.fileOffset), +\(oe.length)) of inode \(state.key.inode) was removed but never added, although the inode was created in this trace.",
                                 chain: chain, lossy: state.sawDataLossSinceStart)]
        default:
            return []
        }
    }
}
