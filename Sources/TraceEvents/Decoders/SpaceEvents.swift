/// `btrfs_space_reservation`, the `update_bytes_*` family and `btrfs_reserve_ticket`.
enum SpaceEvents {
    /// `btrfs_space_reservation` fields (all kernels): `fsid`, `__string type`, `u64 val`,
    /// `u64 bytes`, `int reserve`.
    enum ReservationKey {
        static var type: FieldKey { FieldKey(0, "type") }
        static var value: FieldKey { FieldKey(1, "val") }
        static var bytes: FieldKey { FieldKey(2, "bytes") }
        static var reserve: FieldKey { FieldKey(3, "reserve") }
        static let all = [type, value, bytes, reserve]
    }

    /// `btrfs_space_reservation`. All kernels print `"%pU: %s: %llu %s %llu"` (fsid, type, val,
    /// "reserve"/"release", bytes); ≤4.1 prints the same with `%Lu`. The positional text is read
    /// here; `trace-cmd report -R` (`type=space_info val=1 bytes=65536 reserve=1`) and binary
    /// records go through `reservation(fields:)`.
    static func reservation(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, fields: PayloadFields) -> AccountingEvent? {
        // The type runs up to the first ": " (it may itself contain ':', as in "space_info:enospc").
        var k = i
        while k + 1 < end && !(p[k] == 0x3A && p[k + 1] == 0x20) { k += 1 }
        if k + 1 >= end {
            fields.load(p, i, end)
            return reservation(fields: fields)
        }
        var j = Bytes.skipSpaces(p, k + 2, end)
        guard let (val, a) = Bytes.parseDecimal(p, j, end) else { return nil }
        j = Bytes.skipSpaces(p, a, end)
        let isReserve: Bool
        if Bytes.matches(p, j, end, "reserve") { isReserve = true; j += 7 } else if Bytes.matches(p, j, end, "release") { isReserve = false; j += 7 } else { return nil }
        j = Bytes.skipSpaces(p, j, end)
        guard let (bytes, _) = Bytes.parseDecimal(p, j, end) else { return nil }
        return reservation(type: UnsafeRawBufferPointer(rebasing: p[i..<k]), value: val, isReserve: isReserve, bytes: bytes)
    }

    /// `btrfs_space_reservation` by field name (`-R` text, trace.dat, trace_pipe_raw).
    static func reservation(fields f: some EventFields) -> AccountingEvent? {
        typealias K = ReservationKey
        guard let type = f.bytes(K.type), let val = f.unsigned(K.value), let bytes = f.unsigned(K.bytes),
              let reserve = f.signed(K.reserve) else { return nil }
        return reservation(type: type, value: val, isReserve: reserve != 0, bytes: bytes)
    }

    static func reservation(type: UnsafeRawBufferPointer, value: UInt64, isReserve: Bool, bytes: UInt64) -> AccountingEvent {
        .spaceReservation(SpaceReservation(kind: kind(type, val: value), value: value, isReserve: isReserve, bytes: bytes))
    }

    /// The meaning of a `btrfs_space_reservation` type: space_info, space_info:enospc, delalloc,
    /// transaction, delayed_inode, delayed_item, delayed_refs_rsv, local_delayed_refs_rsv (6.12),
    /// orphan (≤4.17), pinned, zone_unusable (6.1+), global_rsv, chunk.
    static func kind(_ type: UnsafeRawBufferPointer, val: UInt64) -> SpaceReservation.Kind {
        if Bytes.equals(type, "space_info") { return .spaceInfo(SpaceKind(flags: val)) }
        if Bytes.equals(type, "delalloc") { return .delalloc }
        if Bytes.equals(type, "space_info:enospc") { return .spaceInfoENOSPC(SpaceKind(flags: val)) }
        if Bytes.equals(type, "transaction") { return .transaction }
        if Bytes.equals(type, "delayed_inode") { return .delayedInode }
        if Bytes.equals(type, "delayed_item") { return .delayedItem }
        if Bytes.equals(type, "delayed_refs_rsv") { return .delayedRefsReserve }
        if Bytes.equals(type, "local_delayed_refs_rsv") { return .localDelayedRefsReserve }
        if Bytes.equals(type, "orphan") { return .orphan }
        if Bytes.equals(type, "pinned") { return .pinned }
        if Bytes.equals(type, "zone_unusable") { return .zoneUnusable }
        if Bytes.equals(type, "global_rsv") { return .globalReserve }
        if Bytes.equals(type, "chunk") { return .chunk }
        return .other(InternedString(decoding: type))
    }

    /// `BTRFS_GROUP_FLAGS` (`__print_flags` table of block-group types, 4.x to 6.18).
    static let blockGroupNames = PrintedNames([
        ("DATA", 1), ("SYSTEM", 2), ("METADATA", 4), ("RAID0", 8), ("RAID1", 16), ("DUP", 32),
        ("RAID10", 64), ("RAID5", 128), ("RAID6", 256), ("RAID1C3", 512), ("RAID1C4", 1024),
    ])

    /// A block-group type printed through `BTRFS_GROUP_FLAGS`: the first name the kernel prints
    /// (table order DATA, SYSTEM, METADATA), `.other(flags)` for none of them.
    static func printedSpace(_ flags: UInt64?) -> SpaceKind {
        guard let flags else { return .other(0) }
        if flags & 1 != 0 { return .data }
        if flags & 2 != 0 { return .system }
        if flags & 4 != 0 { return .metadata }
        return .other(flags)
    }

    /// `btrfs_reserve_ticket` (6.1+) fields.
    enum TicketKey {
        static var flags: FieldKey { FieldKey(0, "flags") }
        static var bytes: FieldKey { FieldKey(1, "bytes") }
        static var startNanoseconds: FieldKey { FieldKey(2, "start_ns") }
        static var error: FieldKey { FieldKey(3, "error") }
        static let all = [flags, bytes, startNanoseconds, error]
    }

    /// `btrfs_reserve_ticket`: `"flags=%s bytes=%llu start_ns=%llu flush=%s error=%d"`; flags are
    /// block-group names (`DATA`, `METADATA|DUP`) in kernel text, a number with `-R` and in records.
    static func ticket(fields f: some EventFields) -> AccountingEvent? {
        typealias K = TicketKey
        guard let bytes = f.unsigned(K.bytes) else { return nil }
        return .reservationTicket(ReservationTicket(space: printedSpace(f.printedFlags(K.flags, blockGroupNames)), bytes: bytes,
                                                    startNanoseconds: f.unsigned(K.startNanoseconds) ?? 0, error: f.signed(K.error) ?? 0))
    }

    /// Class `btrfs__space_info_update` (6.1+) fields.
    enum UpdateKey {
        static var type: FieldKey { FieldKey(0, "type") }
        static var old: FieldKey { FieldKey(1, "old") }
        static var diff: FieldKey { FieldKey(2, "diff") }
        static let all = [type, old, diff]
    }

    /// `update_bytes_may_use`, `update_bytes_pinned`, `update_bytes_zone_unusable` (6.1+):
    /// `"type=%s old=%llu diff=%lld"`, type printed through `BTRFS_GROUP_FLAGS`.
    static func update(_ counter: SpaceInfoUpdate.Counter, fields f: some EventFields) -> AccountingEvent? {
        typealias K = UpdateKey
        guard let diff = f.signed(K.diff) else { return nil }
        return .spaceInfoUpdate(SpaceInfoUpdate(counter: counter, space: printedSpace(f.printedFlags(K.type, blockGroupNames)),
                                                old: f.unsigned(K.old), diff: diff))
    }
}
