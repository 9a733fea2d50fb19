import TraceEvents

extension Rule {
    /// 6.12+ `outstanding=` disagrees with the replayed sum.
    public static let outstandingMismatch = Rule(
        id: "DIO040", name: "outstanding-value-mismatch", defaultSeverity: .warning,
        shortDescription: "Kernel-reported outstanding extents disagree with the replay",
        fullDescription: "btrfs_inode_mod_outstanding_extents printed outstanding=N (6.12+), which differs from the value replayed from the events before it: an event was missed (lost events, a filtered CPU) or tracing started mid-flight.",
        help: "Check for lost events; later findings on this inode are less certain.")
}

/// Check of `outstandingMismatch`.
enum OutstandingValueMismatch: LedgerCheck {
    static var rule: Rule { .outstandingMismatch }

    static let moments: [LedgerMoment.Kind] = [.outstandingChanged]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        // 6.12+ prints the kernel's value after the change; with an unknown baseline the offset
        // between it and the replay must stay constant.
        guard case .outstandingChanged(let state, let c, let ref, let previous) = moment, let reported = c.outstanding else { return [] }
        let replayed = state.outstanding.sum
        let consistent: Bool
        if state.baselineKnown {
            consistent = Int64(clamping: reported) == replayed
        } else if let previous {
            consistent = Int64(clamping: reported) &- Int64(clamping: previous) == c.mod
        } else {
            consistent = true
        }
        guard !consistent else { return [] }
        var chain = state.outstanding.chain
        chain.append(ref)
        return [FindingDraft(rule: rule, subject: .inode(state.key), amount: Int64(clamping: reported) &- replayed, unit: .extents,
                             message: "The kernel printed outstanding=\(reported) for inode \(state.key.inode), the replay expected a change of the previous value consistent with the events; an event was missed.",
                             chain: chain, lossy: false, once: true)]
    }
}
