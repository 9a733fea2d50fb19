/// Disk-extent reservation events.
enum ExtentEvents {
    /// Class `btrfs__reserve_extent` fields (`bg_objectid`, `flags`, `start`, `len`, 4.x to 6.18).
    enum ReservedKey {
        static var start: FieldKey { FieldKey(0, "start") }
        static var length: FieldKey { FieldKey(1, "len") }
        static var flags: FieldKey { FieldKey(2, "flags") }
        static let all = [start, length, flags]
    }

    /// `btrfs_reserve_extent` / `btrfs_reserve_extent_cluster`:
    /// 6.1 `"root=%llu(%s) block_group=%llu flags=%llu(%s) start=%llu len=%llu"`, 6.12 adds
    /// `bg_size_class`, `loop`, `hinted`, `size_class`; 4.x uses ` = ` separators. `flags` is
    /// printed as a number (then its names in parentheses).
    static func reserved(fields f: some EventFields) -> AccountingEvent? {
        typealias K = ReservedKey
        guard let start = f.unsigned(K.start), let len = f.unsigned(K.length) else { return nil }
        return .extentReserved(DiskExtent(start: start, length: len, space: f.unsigned(K.flags).map(SpaceKind.init(flags:))))
    }

    /// Class `btrfs__reserved_extent` fields.
    enum AllocatedKey {
        static var start: FieldKey { FieldKey(0, "start") }
        static var length: FieldKey { FieldKey(1, "len") }
        static let all = [start, length]
    }

    /// `btrfs_reserved_extent_alloc` / `btrfs_reserved_extent_free`: `"root=%llu(%s) start=%llu len=%llu"`
    /// (4.x: `"root = %llu(%s), start = %llu, len = %llu"`).
    static func allocatedOrFreed(freed: Bool, fields f: some EventFields) -> AccountingEvent? {
        typealias K = AllocatedKey
        guard let start = f.unsigned(K.start), let len = f.unsigned(K.length) else { return nil }
        let e = DiskExtent(start: start, length: len, space: nil)
        return freed ? .reservedExtentFreed(e) : .reservedExtentAllocated(e)
    }
}
