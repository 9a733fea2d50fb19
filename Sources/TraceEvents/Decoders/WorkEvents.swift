/// btrfs async work tracepoints (class `btrfs__work` and `btrfs_all_work_done`), 4.x to 6.18:
/// `btrfs_work_sched`: `"%pU: work=%p (normal_work=%p) wq=%p func=%ps ordered_func=%p ordered_free=%p"`,
/// `btrfs_all_work_done`: `"%pU: work->%p"`. `func=` is a symbol (`finish_ordered_fn [btrfs]`) in
/// kernel text and trace-cmd reports with kallsyms, an address otherwise; records hold the address,
/// named through the capture's kallsyms.
enum WorkEvents {
    enum Key {
        static var function: FieldKey { FieldKey(0, "func") }
        static let all = [function]
    }

    static func work(_ kind: WorkItem.Kind, fields f: some EventFields) -> AccountingEvent? {
        guard kind == .scheduled else { return .work(WorkItem(kind: .done, function: nil)) }
        return .work(WorkItem(kind: .scheduled, function: f.function(Key.function).map { InternedString($0) }))
    }
}
