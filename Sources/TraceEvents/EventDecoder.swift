/// How one event name is decoded. The kernel spelling of each name appears only in `table`.
public enum DecoderKind: Sendable, Equatable {
    case spaceReservation
    case spaceInfoUpdate(SpaceInfoUpdate.Counter)
    case outstandingExtents
    case orderedExtent(OrderedExtentEvent.Step)
    case orderedRangeFinished
    case extentReserved
    case reservedExtent(freed: Bool)
    case qgroupData
    case qgroupReserveUpdate
    case qgroupMeta(QgroupMetaEvent.Kind)
    case inode(InodeEvent.Kind)
    case transactionCommit
    case directIOBegin
    case directIOEnd(queued: Bool)
    case work(WorkItem.Kind)
    case reservationTicket
    case iomapIteration
    /// Any event whose payload starts with `(sym...)`: kprobes and kretprobes.
    case probeCandidate
    /// Counted, not decoded.
    case ignored

    static let table: [String: DecoderKind] = {
        var t: [String: DecoderKind] = [
            "btrfs_space_reservation": .spaceReservation,
            "update_bytes_may_use": .spaceInfoUpdate(.bytesMayUse),
            "update_bytes_pinned": .spaceInfoUpdate(.bytesPinned),
            "update_bytes_zone_unusable": .spaceInfoUpdate(.zoneUnusable),
            "btrfs_inode_mod_outstanding_extents": .outstandingExtents,
            "btrfs_finish_ordered_extent": .orderedRangeFinished,
            "btrfs_reserve_extent": .extentReserved,
            "btrfs_reserve_extent_cluster": .extentReserved,
            "btrfs_reserved_extent_alloc": .reservedExtent(freed: false),
            "btrfs_reserved_extent_free": .reservedExtent(freed: true),
            "btrfs_qgroup_reserve_data": .qgroupData,
            "btrfs_qgroup_release_data": .qgroupData,
            "qgroup_update_reserve": .qgroupReserveUpdate,
            "btrfs_qgroup_update_reserve": .qgroupReserveUpdate,
            "btrfs_qgroup_meta_reserve": .qgroupMeta(.reserve),
            "btrfs_qgroup_meta_convert": .qgroupMeta(.convert),
            "btrfs_qgroup_meta_free_all_pertrans": .qgroupMeta(.freeAllPertrans),
            "qgroup_meta_reserve": .qgroupMeta(.reserve),
            "qgroup_meta_convert": .qgroupMeta(.convert),
            "qgroup_meta_free_all_pertrans": .qgroupMeta(.freeAllPertrans),
            "btrfs_inode_new": .inode(.new),
            "btrfs_inode_request": .inode(.request),
            "btrfs_inode_evict": .inode(.evict),
            "btrfs_transaction_commit": .transactionCommit,
            "iomap_dio_rw_begin": .directIOBegin,
            "iomap_dio_complete": .directIOEnd(queued: false),
            "iomap_dio_rw_queued": .directIOEnd(queued: true),
            "iomap_iter": .iomapIteration,
            "btrfs_work_sched": .work(.scheduled),
            "btrfs_reserve_ticket": .reservationTicket,
            "btrfs_all_work_done": .work(.done),
        ]
        let steps: [OrderedExtentEvent.Step] = [.add, .remove, .start, .put, .lookup, .lookupRange, .lookupFirstRange,
                                                .lookupForLogging, .lookupFirst, .split, .decTestPending, .markFinished]
        for step in steps { t["btrfs_ordered_extent_" + step.rawValue] = .orderedExtent(step) }
        return t
    }()

    static func forName(_ name: String) -> DecoderKind {
        if let k = table[name] { return k }
        // Probe events keep their own names (`btrfs_dio_write_entry`, `p_btrfs_dio_write_0`, ...).
        // Only probes on the functions that bound a direct-I/O write are decoded; probes on other
        // functions (the lab also probes btrfs_reserve_extent, btrfs_delalloc_* ...) are counted.
        if name.hasSuffix("_entry") || name.hasSuffix("_ret") || name.hasSuffix("_return") || name.hasSuffix("_exit")
            || name.hasPrefix("p_") || name.hasPrefix("r_") {
            return ProbeEvents.windowFunctions.contains(ProbeEvents.function(fromEventName: name).function) ? .probeCandidate : .ignored
        }
        return .ignored
    }

    public var isDecoded: Bool { if case .ignored = self { return false }; return true }
}

/// Decodes the payload of one event line into an `AccountingEvent`.
public final class EventDecoder {
    let fields = PayloadFields()
    /// Probe function and direction per event name, worked out once.
    var probeNames: [InternedString: (function: InternedString, isReturn: Bool)] = [:]
    /// Per event name id (the reader's): the key layout of its last plain `key=value` payload.
    private var layouts: [PayloadLayout?] = []

    /// The last `%pU: ` prefix parsed: a trace names one or two filesystems, so most prefixes
    /// are the previous one's 37 bytes again and are compared, not parsed.
    /// Its 40 bytes as five words (the last with the three bytes after `: ` masked off): SIMD
    /// vector `==` compiles to a loop over lanes here, five integer compares do not.
    private var lastPrefix: (a: UInt64, b: UInt64, c: UInt64, d: UInt64, tail: UInt64, id: FilesystemID)?

    public init() {}

    @inline(__always)
    private func filesystemPrefix(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> (FilesystemID, Int)? {
        guard i + 40 <= end else { return FilesystemPrefix.parse(p, i, end) }
        let a = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let b = p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
        let c = p.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)
        let d = p.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
        // Bytes 32..<40: the UUID's last four digits, the colon and what follows (masked off).
        let tail = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i + 32, as: UInt64.self)) & 0xFF_FFFF_FFFF
        if let last = lastPrefix, last.a == a, last.b == b, last.c == c, last.d == d, last.tail == tail {
            return (last.id, Bytes.skipSpaces(p, i + 37, end))
        }
        guard let parsed = FilesystemPrefix.parse(p, i, end) else { return nil }
        // Only the canonical UUID form is remembered (`fsid=ARRAY[...]` has another length).
        if p[i + 36] == 0x3A { lastPrefix = (a, b, c, d, tail, parsed.0) }
        return parsed
    }

    /// Decodes `p[start..<end]` for an event of the given kind. Returns `(nil, nil)` when the event
    /// is not accounting-relevant; `.malformed` when it should have decoded but did not. `id`
    /// (the reader's small number for the name, or -1) keys the payload layouts learned.
    func decode(_ kind: DecoderKind, name: InternedString, id: Int = -1, _ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int)
        -> (event: AccountingEvent?, filesystem: FilesystemID?, malformed: Bool) {
        var i = start
        var fsid: FilesystemID? = nil
        if let (id, next) = filesystemPrefix(p, i, end) {
            fsid = id
            i = next
        }
        let f = fields
        let event: AccountingEvent?
        switch kind {
        case .ignored:
            return (nil, fsid, false)
        case .spaceReservation:
            event = SpaceEvents.reservation(p, i, end, fields: f)
        case .directIOBegin:
            event = IomapEvents.begin(p, i, end, fields: f)
        case .directIOEnd(let queued):
            event = IomapEvents.end(queued: queued, p, i, end, fields: f)
        case .iomapIteration:
            event = IomapEvents.iteration(p, i, end, fields: f)
        case .probeCandidate:
            if i < end && p[i] == 0x28 {
                let parsed: (function: InternedString, isReturn: Bool)
                if let cached = probeNames[name] { parsed = cached } else {
                    let named = ProbeEvents.function(fromEventName: name.string)
                    parsed = (InternedString(named.function), named.isReturn)
                    probeNames[name] = parsed
                }
                event = ProbeEvents.probe(function: parsed.function, nameIsReturn: parsed.isReturn, p, i, end, fields: f)
            } else {
                return (nil, fsid, false)
            }
        default:
            loadFields(kind, id: id, p, i, end)
            event = FamilyDecoders.decode(kind, f)
        }
        return (event, fsid, event == nil)
    }

    /// Tokenizes a `key=value` payload: through the layout learned for `id` when the payload
    /// matches it, else by `load`, learning the layout of a plain payload for the next ones.
    @inline(__always)
    private func loadFields(_ kind: DecoderKind, id: Int, _ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        let f = fields
        guard id >= 0 else { return f.load(p, start, end) }
        if id < layouts.count, let layout = layouts[id], f.load(p, start, end, layout: layout) { return }
        f.load(p, start, end)
        guard f.isPlainKeyValue, let learned = PayloadLayout(f, fieldKeys: kind.fieldKeys) else { return }
        if id >= layouts.count { layouts.append(contentsOf: repeatElement(nil, count: id + 1 - layouts.count)) }
        // Names of one event class print the same keys: one layout for them, whose previous
        // payload is then the class's (an ordered extent's add, put, lookup... in a row).
        let shared = layouts.first { $0?.hasShape(of: learned) == true } ?? nil
        layouts[id] = shared ?? learned
    }
}
