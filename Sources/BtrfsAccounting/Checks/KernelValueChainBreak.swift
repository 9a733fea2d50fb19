import TraceEvents

extension Rule {
    /// A running value printed by the kernel does not follow from the events before it.
    public static let kernelValueMismatch = Rule(
        id: "DIO041", name: "kernel-value-chain-break", defaultSeverity: .warning,
        shortDescription: "A value the kernel prints does not follow from the events before it",
        fullDescription: "update_bytes_may_use prints old= (the space_info's bytes_may_use before the change) and qgroup_update_reserve prints cur_reserved=; each must equal the previous event's value plus its change. A break means an event is missing from the trace (filtered, lost without a marker, or cut out) or an extra one is in it. Events of one timestamp that arrive permuted across CPUs are reordered, not reported.",
        help: "Balances that depend on the missing event are not exact; look for trace filters or lost events around the named lines.")
}

/// Check of `kernelValueMismatch`.
enum KernelValueChainBreak: LedgerCheck {
    static var rule: Rule { .kernelValueMismatch }

    static let moments: [LedgerMoment.Kind] = [.valueChainBroke]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .valueChainBroke(let key, let filesystem, let b) = moment else { return [] }
        let gap = Int64(bitPattern: b.step.before &- b.expected)
        var events = EventChain()
        if let p = b.previous { events.append(p) }
        events.append(b.step.ref)
        let after = b.previous.map { " after line \($0.line)" } ?? ""
        let message = "\(key.description)\(b.step.before) at line \(b.step.ref.line), but the events before it leave \(b.expected): "
            + "\(gap > 0 ? "an increase" : "a decrease") of \(gap.magnitude) bytes is not in the trace\(after) (a missed event, or one too many)."
        return [FindingDraft(rule: rule, subject: .filesystem(filesystem), amount: gap, unit: .bytes, message: message, chain: events, lossy: false)]
    }
}
