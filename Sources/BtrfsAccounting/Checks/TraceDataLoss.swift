import TraceEvents

extension Rule {
    /// Lost events lower confidence.
    public static let dataLoss = Rule(
        id: "DIO050", name: "trace-data-loss", defaultSeverity: .warning,
        shortDescription: "The trace lost events",
        fullDescription: "The trace reports lost or overwritten events (LOST N EVENTS, EVENTS DROPPED, buffer started, or fewer entries in the buffer than written). Balances that span the gap are not exact; findings on them are lowered to warnings.",
        help: "Enlarge buffer_size_kb or trace fewer events.")
}

/// Check of `dataLoss`.
enum TraceDataLoss: LedgerCheck {
    static var rule: Rule { .dataLoss }

    static let moments: [LedgerMoment.Kind] = [.traceEndedWithLoss]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .traceEndedWithLoss(let markers, let lost, let filesystem) = moment, let first = markers.first else { return [] }
        var chain = EventChain()
        for r in markers { chain.append(r) }
        return [FindingDraft(rule: rule, subject: .filesystem(filesystem), amount: Int64(clamping: lost), unit: .events,
                             message: "The trace lost \(lost) events (\(markers.count) marker\(markers.count == 1 ? "" : "s"), first at line \(first.line)); balances spanning the gap are not exact and inode baselines after it are unknown.",
                             chain: chain, lossy: false)]
    }
}
