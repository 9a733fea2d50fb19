/// qgroup reservation events (emitted only while quotas are enabled).
enum QgroupEvents {
    /// `btrfs_qgroup_reserve_data` / `btrfs_qgroup_release_data`:
    /// `"root=%llu ino=%llu start=%llu len=%llu reserved=%llu op=%s"`.
    static func data(fields f: PayloadFields) -> AccountingEvent? {
        guard let root = f.unsigned("root") ?? f.unsigned("root_objectid"), let ino = f.unsigned("ino"), let start = f.unsigned("start"),
              let len = f.unsigned("len"), let reserved = f.unsigned("reserved") else { return nil }
        let op: QgroupDataEvent.Operation
        switch f.string("op") {
        case "reserve": op = .reserve
        case "release": op = .release
        case "free": op = .free
        default:
            // libtraceevent may print the op as a number: QGROUP_RESERVE (1<<0), QGROUP_RELEASE (1<<1), QGROUP_FREE (1<<2)
            switch f.unsigned("op") {
            case 1: op = .reserve
            case 2: op = .release
            case 4: op = .free
            default: return nil
            }
        }
        return .qgroupData(QgroupDataEvent(operation: op, root: root, inode: ino, start: start, length: len, reserved: reserved))
    }

    /// `qgroup_update_reserve`: `"qgid=%llu type=%s cur_reserved=%llu diff=%lld"`.
    static func updateReserve(fields f: PayloadFields) -> AccountingEvent? {
        guard let qgid = f.unsigned("qgid"), let cur = f.unsigned("cur_reserved"), let diff = f.signed("diff") else { return nil }
        return .qgroupReserveUpdate(QgroupReserveUpdate(qgroup: qgid, type: f.string("type") ?? "", currentReserved: cur, diff: diff))
    }

    /// `qgroup_meta_reserve` / `qgroup_meta_free_all_pertrans` (`"refroot=%llu(%s) type=%s diff=%lld"`)
    /// and `qgroup_meta_convert` (`type=%s->%s`).
    static func meta(_ kind: QgroupMetaEvent.Kind, fields f: PayloadFields) -> AccountingEvent? {
        guard let root = f.unsigned("refroot"), let diff = f.signed("diff") else { return nil }
        return .qgroupMeta(QgroupMetaEvent(kind: kind, root: root, type: f.string("type") ?? "", diff: diff))
    }
}
