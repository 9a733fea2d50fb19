/// qgroup reservation events (emitted only while quotas are enabled).
enum QgroupEvents {
    /// Class `btrfs__qgroup_rsv_data` (4.4+) fields: `rootid`, `ino`, `start`, `len`, `reserved`, `op`.
    enum DataKey {
        static var root: FieldKey { FieldKey(0, "root", "rootid", "root_objectid") }
        static var inode: FieldKey { FieldKey(1, "ino") }
        static var start: FieldKey { FieldKey(2, "start") }
        static var length: FieldKey { FieldKey(3, "len") }
        static var reserved: FieldKey { FieldKey(4, "reserved") }
        static var operation: FieldKey { FieldKey(5, "op") }
        static let all = [root, inode, start, length, reserved, operation]
    }

    /// `__print_flags(op, "", QGROUP_RESERVE (1<<0), QGROUP_RELEASE (1<<1), QGROUP_FREE (1<<2))`.
    static let operationNames = PrintedNames([("reserve", 1), ("release", 2), ("free", 4)])

    /// `btrfs_qgroup_reserve_data` / `btrfs_qgroup_release_data`:
    /// `"root=%llu ino=%llu start=%llu len=%llu reserved=%llu op=%s"` (4.8: `ino=%lu`).
    static func data(fields f: some EventFields) -> AccountingEvent? {
        typealias K = DataKey
        guard let root = f.unsigned(K.root), let ino = f.unsigned(K.inode), let start = f.unsigned(K.start),
              let len = f.unsigned(K.length), let reserved = f.unsigned(K.reserved) else { return nil }
        let op: QgroupDataEvent.Operation
        switch f.printedFlags(K.operation, operationNames) {
        case 1: op = .reserve
        case 2: op = .release
        case 4: op = .free
        default: return nil
        }
        return .qgroupData(QgroupDataEvent(operation: op, root: root, inode: ino, start: start, length: len, reserved: reserved))
    }

    /// `__print_symbolic(type, QGROUP_RSV_TYPES)`: `enum btrfs_qgroup_rsv_type` (4.19+).
    static let typeNames = PrintedNames([("DATA", 0), ("META_PERTRANS", 1), ("META_PREALLOC", 2)])

    /// The name the kernel prints for a reservation type; `0x…` for a value outside the table.
    static func typeName(_ value: UInt64?) -> String {
        guard let value else { return "" }
        if let name = typeNames.name(of: value) { return name.description }
        return "0x" + String(value, radix: 16)
    }

    /// `qgroup_update_reserve` / `btrfs_qgroup_update_reserve` fields.
    enum UpdateKey {
        static var qgroup: FieldKey { FieldKey(0, "qgid") }
        static var type: FieldKey { FieldKey(1, "type") }
        static var currentReserved: FieldKey { FieldKey(2, "cur_reserved") }
        static var diff: FieldKey { FieldKey(3, "diff") }
        static let all = [qgroup, type, currentReserved, diff]
    }

    /// `qgroup_update_reserve`: `"qgid=%llu type=%s cur_reserved=%llu diff=%lld"`.
    static func updateReserve(fields f: some EventFields) -> AccountingEvent? {
        typealias K = UpdateKey
        guard let qgid = f.unsigned(K.qgroup), let cur = f.unsigned(K.currentReserved), let diff = f.signed(K.diff) else { return nil }
        return .qgroupReserveUpdate(QgroupReserveUpdate(qgroup: qgid, type: InternedString(typeName(f.printedFlags(K.type, typeNames))),
                                                        currentReserved: cur, diff: diff))
    }

    /// Class `btrfs__qgroup_meta_reserve` / `qgroup_meta_convert` fields (convert has no `type`).
    enum MetaKey {
        static var root: FieldKey { FieldKey(0, "refroot") }
        static var diff: FieldKey { FieldKey(1, "diff") }
        static var type: FieldKey { FieldKey(2, "type") }
        static let all = [root, diff, type]
    }

    /// `qgroup_meta_reserve` / `qgroup_meta_free_all_pertrans` (`"refroot=%llu(%s) type=%s diff=%lld"`)
    /// and `qgroup_meta_convert` (`type=%s->%s` of two constants: `META_PREALLOC->META_PERTRANS`).
    static func meta(_ kind: QgroupMetaEvent.Kind, fields f: some EventFields) -> AccountingEvent? {
        typealias K = MetaKey
        guard let root = f.unsigned(K.root), let diff = f.signed(K.diff) else { return nil }
        let type: InternedString = kind == .convert ? "META_PREALLOC->META_PERTRANS" : InternedString(typeName(f.printedFlags(K.type, typeNames)))
        return .qgroupMeta(QgroupMetaEvent(kind: kind, root: root, type: type, diff: diff))
    }
}
