/// Disk-extent reservation events.
enum ExtentEvents {
    /// `btrfs_reserve_extent` / `btrfs_reserve_extent_cluster`:
    /// 6.1 `"root=%llu(%s) block_group=%llu flags=%llu(%s) start=%llu len=%llu"`, 6.12 adds
    /// `bg_size_class`, `loop`, `hinted`, `size_class`; 4.x uses ` = ` separators.
    static func reserved(fields f: PayloadFields) -> AccountingEvent? {
        guard let start = f.unsigned("start"), let len = f.unsigned("len") else { return nil }
        return .extentReserved(DiskExtent(start: start, length: len, space: f.unsigned("flags").map(SpaceKind.init(flags:))))
    }

    /// `btrfs_reserved_extent_alloc` / `btrfs_reserved_extent_free`: `"root=%llu(%s) start=%llu len=%llu"`.
    static func allocatedOrFreed(freed: Bool, fields f: PayloadFields) -> AccountingEvent? {
        guard let start = f.unsigned("start"), let len = f.unsigned("len") else { return nil }
        let e = DiskExtent(start: start, length: len, space: nil)
        return freed ? .reservedExtentFreed(e) : .reservedExtentAllocated(e)
    }
}
