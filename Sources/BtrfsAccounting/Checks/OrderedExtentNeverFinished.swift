import TraceEvents

extension Rule {
    /// Ordered extent added and never finished, trace continues.
    public static let orderedExtentNeverFinished = Rule(
        id: "DIO031", name: "ordered-extent-never-finished", defaultSeverity: .warning,
        shortDescription: "Ordered extent never finished",
        fullDescription: "An ordered extent was added and not removed by the end of the trace, although the trace continued for more than the completion grace period.",
        help: "Its bio never completed or btrfs_finish_ordered_io never ran.")
}

/// Check of `orderedExtentNeverFinished`.
enum OrderedExtentNeverFinished: LedgerCheck {
    static var rule: Rule { .orderedExtentNeverFinished }

    static let moments: [LedgerMoment.Kind] = [.traceEndedWithInode]
    /// An ordered extent older than this at the end of the trace is not just in flight.
    static let gracePeriod: UInt64 = 5_000_000_000

    static func isOld(_ oe: OrderedExtentState, _ context: CheckContext) -> Bool {
        let end = context.lastTimestamp ?? 0
        return end &- (oe.added.timestamp ?? end) > gracePeriod
    }

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .traceEndedWithInode(let state, _) = moment, context.sawOrderedExtentRemove else { return [] }
        let key = state.key
        let lossy = state.sawDataLossSinceStart || context.lossSeen
        return state.openOrderedExtents.filter { isOld($0, context) }.map { oe in
            FindingDraft(rule: rule, subject: .inode(key), amount: Int64(clamping: oe.remaining), unit: .bytes,
                         message: "Ordered extent [\(oe.fileOffset), +\(oe.length)) of inode \(key.inode) was still open when the trace ended, more than 5 s after it was added.",
                         chain: oe.chain, lossy: lossy)
        }
    }
}
