import TraceEvents

extension Rule {
    /// Filesystem-wide space_info balances not back to zero when the trace ends after umount.
    public static let heldAtUnmount = Rule(
        id: "DIO020", name: "held-at-unmount/bytes-may-use", defaultSeverity: .error,
        shortDescription: "space_info bytes_may_use not zero after unmount",
        fullDescription: "The absolute bytes_may_use value carried by update_bytes_may_use (old + diff) is not zero after the filesystem's last event of an unmount. btrfs_free_block_groups warns WARN_ON(space_info->bytes_may_use > 0).",
        help: "A data or metadata reservation was never released; the inode findings name the owner when the trace can.")
}

/// Check of `heldAtUnmount`.
enum BytesMayUseAtUnmount: LedgerCheck {
    static var rule: Rule { .heldAtUnmount }

    static let moments: [LedgerMoment.Kind] = [.traceEndedWithSpace]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .traceEndedWithSpace(let key, let v, let unmounted) = moment, unmounted, let value = v.value, value != 0 else { return [] }
        var chain = v.chain
        chain.append(v.last)
        return [FindingDraft(rule: rule, subject: .filesystem(key.filesystem), amount: value, unit: .bytes,
                             message: "\(key.space.name) bytes_may_use is \(value) after the filesystem was unmounted; btrfs_free_block_groups warns WARN_ON(space_info->bytes_may_use > 0).",
                             chain: chain, lossy: context.lossSeen)]
    }
}
