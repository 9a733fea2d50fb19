/// `btrfs_space_reservation` and the `update_bytes_*` family.
enum SpaceEvents {
    /// `btrfs_space_reservation`. All kernels print `"%pU: %s: %llu %s %llu"` (fsid, type, val,
    /// "reserve"/"release", bytes); ≤4.1 prints the same with `%Lu`. Types: space_info,
    /// space_info:enospc, delalloc, transaction, delayed_inode, delayed_item, delayed_refs_rsv,
    /// local_delayed_refs_rsv (6.12), orphan (≤4.17), pinned, zone_unusable.
    /// `trace-cmd report -R` prints `type=space_info val=1 bytes=65536 reserve=1` instead.
    static func reservation(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, fields: PayloadFields) -> AccountingEvent? {
        // The type runs up to the first ": " (it may itself contain ':', as in "space_info:enospc").
        var k = i
        while k + 1 < end && !(p[k] == 0x3A && p[k + 1] == 0x20) { k += 1 }
        if k + 1 >= end {
            fields.load(p, i, end)
            guard let type = fields.string("type"), let val = fields.unsigned("val"), let bytes = fields.unsigned("bytes"),
                  let reserve = fields.unsigned("reserve") else { return nil }
            return .spaceReservation(SpaceReservation(kind: kind(type, val: val), value: val, isReserve: reserve != 0, bytes: bytes))
        }
        let type = Bytes.string(p, i, k)
        var j = Bytes.skipSpaces(p, k + 2, end)
        guard let (val, a) = Bytes.parseDecimal(p, j, end) else { return nil }
        j = Bytes.skipSpaces(p, a, end)
        let isReserve: Bool
        if Bytes.matches(p, j, end, "reserve") { isReserve = true; j += 7 } else if Bytes.matches(p, j, end, "release") { isReserve = false; j += 7 } else { return nil }
        j = Bytes.skipSpaces(p, j, end)
        guard let (bytes, _) = Bytes.parseDecimal(p, j, end) else { return nil }
        return .spaceReservation(SpaceReservation(kind: kind(type, val: val), value: val, isReserve: isReserve, bytes: bytes))
    }

    /// A block-group type as printed: its first name (`DATA`, `METADATA|DUP`, `SYSTEM`) or a number.
    static func space(_ range: (Int, Int)?, _ p: UnsafeRawBufferPointer) -> SpaceKind {
        guard let (s, e) = range else { return .other(0) }
        if Bytes.matches(p, s, e, "DATA") { return .data }
        if Bytes.matches(p, s, e, "METADATA") { return .metadata }
        if Bytes.matches(p, s, e, "SYSTEM") { return .system }
        if let (v, _) = Bytes.parseDecimal(p, s, e) { return SpaceKind(flags: v) }
        return .other(0)
    }

    static func kind(_ type: String, val: UInt64) -> SpaceReservation.Kind {
        switch type {
        case "space_info": .spaceInfo(SpaceKind(flags: val))
        case "space_info:enospc": .spaceInfoENOSPC(SpaceKind(flags: val))
        case "delalloc": .delalloc
        case "transaction": .transaction
        case "delayed_inode": .delayedInode
        case "delayed_item": .delayedItem
        case "delayed_refs_rsv": .delayedRefsReserve
        case "local_delayed_refs_rsv": .localDelayedRefsReserve
        case "orphan": .orphan
        case "pinned": .pinned
        case "zone_unusable": .zoneUnusable
        case "global_rsv": .globalReserve
        case "chunk": .chunk
        default: .other(type)
        }
    }

    /// `btrfs_reserve_ticket`: `"flags=%s bytes=%llu start_ns=%llu flush=%s error=%d"`; flags are
    /// block-group names (`DATA`, `METADATA|DUP`) in kernel text, a number with `-R`.
    static func ticket(fields f: PayloadFields) -> AccountingEvent? {
        guard let bytes = f.unsigned("bytes") else { return nil }
        return .reservationTicket(ReservationTicket(space: space(f.range("flags"), f.buffer), bytes: bytes, startNanoseconds: f.unsigned("start_ns") ?? 0,
                                                    error: f.signed("error") ?? 0))
    }

    /// `update_bytes_may_use`, `update_bytes_pinned`, `update_bytes_zone_unusable` (6.x):
    /// `"type=%s old=%llu diff=%lld"`, type one of DATA, METADATA, SYSTEM (or flag names).
    static func update(_ counter: SpaceInfoUpdate.Counter, fields f: PayloadFields) -> AccountingEvent? {
        guard let diff = f.signed("diff") else { return nil }
        return .spaceInfoUpdate(SpaceInfoUpdate(counter: counter, space: space(f.range("type"), f.buffer), old: f.unsigned("old"), diff: diff))
    }
}
