/// btrfs async work tracepoints (class `btrfs__work` and `btrfs_all_work_done`), 4.x to 6.18:
/// `btrfs_work_sched`: `"%pU: work=%p (normal_work=%p) wq=%p func=%ps ordered_func=%p ordered_free=%p"`,
/// `btrfs_all_work_done`: `"%pU: work->%p"`. `func=` is a symbol (`finish_ordered_fn [btrfs]`) in
/// kernel text and trace-cmd reports with kallsyms, an address otherwise.
enum WorkEvents {
    static func work(_ kind: WorkItem.Kind, _ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, fields f: PayloadFields) -> AccountingEvent? {
        guard kind == .scheduled else { return .work(WorkItem(kind: .done, function: nil)) }
        f.load(p, i, end)
        var function: String? = nil
        if let r = f.range("func"), r.1 > r.0 {
            let first = p[r.0]
            let isAddress = Bytes.isDigit(first) || (r.1 - r.0 > 2 && Bytes.matches(p, r.0, r.1, "0x"))
            if !isAddress { function = Bytes.string(p, r.0, r.1) }
        }
        return .work(WorkItem(kind: .scheduled, function: function))
    }
}
