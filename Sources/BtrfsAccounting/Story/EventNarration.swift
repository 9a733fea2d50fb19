public import TraceEvents

/// Words for one typed event, as a finding's story prints it ("reserve 640 KiB metadata",
/// "ordered extent [0, +64 KiB) added"). Built from the decoded event, never from its text.
public enum EventNarration {
    /// The event in words; `event` (the tracepoint name) when nothing more is known.
    public static func describe(_ operation: AccountingEvent?, event: String) -> String {
        guard let operation else { return event }
        switch operation {
        case .spaceReservation(let r): return reservation(r)
        case .spaceInfoUpdate(let u):
            let counter = u.counter == .bytesMayUse ? "bytes_may_use" : u.counter == .bytesPinned ? "bytes_pinned" : "zone_unusable"
            return "\(counter) \(u.space.name) \(signed(u.diff))"
        case .outstandingExtents(let c):
            var text = "outstanding extents \(c.mod >= 0 ? "+" : "")\(c.mod)"
            if let o = c.outstanding { text += " (kernel: \(o))" }
            return text
        case .orderedExtent(let o): return orderedExtent(o)
        case .orderedRangeFinished(let f):
            return "ordered range \(range(f.fileOffset, f.length)) finished" + (f.uptodate ? "" : " with an I/O error")
        case .extentReserved(let e): return "disk extent \(bytes(e.length)) reserved"
        case .reservedExtentAllocated(let e): return "reserved disk extent \(bytes(e.length)) allocated"
        case .reservedExtentFreed(let e): return "reserved disk extent \(bytes(e.length)) freed"
        case .qgroupData(let q): return "qgroup \(q.operation.rawValue) data \(range(q.start, q.length)): \(bytes(q.reserved))"
        case .qgroupReserveUpdate(let q): return "qgroup \(q.qgroup) \(q.type) \(signed(q.diff))"
        case .qgroupMeta(let q): return "qgroup metadata \(q.type) \(signed(q.diff))"
        case .inode(let i):
            switch i.kind {
            case .new: return "inode \(i.inode) created"
            case .request: return "inode \(i.inode) looked up"
            case .evict: return "inode \(i.inode) evicted"
            }
        case .transactionCommit: return "transaction commit"
        case .directIOBegin(let b): return "direct \(b.isWrite ? "write" : "I/O") \(range(b.offset, b.length)) begins"
        case .directIOEnd(let e):
            if e.isQueued { return "direct I/O queued (async)" }
            if e.error != 0 { return "direct I/O returned \(errno(e.error))" }
            return "direct I/O returned \(bytes(UInt64(clamping: e.result)))"
        case .probe(let p): return probe(p)
        case .work(let w):
            let name = w.function ?? "work item"
            return w.kind == .scheduled ? "\(name) starts" : "\(name) done"
        case .reservationTicket(let t):
            return t.error != 0 ? "\(t.space.name) ticket for \(bytes(t.bytes)) failed \(errno(t.error))"
                : "\(t.space.name) ticket for \(bytes(t.bytes)) granted"
        case .iomapIteration(let it): return "iomap step \(range(it.position, it.length))"
        case .dataLoss(let l):
            switch l.kind {
            case .lost: return l.count > 0 ? "\(l.count) events lost on CPU \(l.cpu)" : "events lost on CPU \(l.cpu)"
            case .bufferStarted: return "CPU \(l.cpu) buffer started: older events overwritten"
            case .overwritten: return "oldest events overwritten"
            }
        }
    }

    static func reservation(_ r: SpaceReservation) -> String {
        let verb = r.isReserve ? "reserve" : "release"
        switch r.kind {
        case .delalloc: return "\(verb) \(bytes(r.bytes)) metadata"
        case .spaceInfo(let k): return "\(verb) \(bytes(r.bytes)) \(k == .data ? "data" : k.name) space"
        case .spaceInfoENOSPC(let k): return "\(k.name) reservation of \(bytes(r.bytes)) failed: ENOSPC"
        case .delayedInode: return "\(verb) \(bytes(r.bytes)) for the delayed inode"
        case .delayedItem: return "\(verb) \(bytes(r.bytes)) for a delayed item"
        case .transaction: return "\(verb) \(bytes(r.bytes)) for a transaction"
        default: return "\(verb) \(bytes(r.bytes)) (\(kindName(r.kind)))"
        }
    }

    static func kindName(_ k: SpaceReservation.Kind) -> String {
        switch k {
        case .delayedRefsReserve: "delayed refs"
        case .localDelayedRefsReserve: "local delayed refs"
        case .orphan: "orphan"
        case .pinned: "pinned"
        case .zoneUnusable: "zone unusable"
        case .globalReserve: "global reserve"
        case .chunk: "chunk"
        case .other(let s): s.string
        default: "space"
        }
    }

    static func orderedExtent(_ o: OrderedExtentEvent) -> String {
        let what = "ordered extent \(range(o.fileOffset, o.length))"
        switch o.step {
        case .add: return what + " added" + (o.flags.contains(.direct) ? " (direct)" : "")
        case .remove: return what + " removed" + (o.flags.contains(.ioError) ? " (I/O error)" : "")
        case .markFinished: return what + " I/O finished" + (o.flags.contains(.ioError) ? " with an error" : "")
        case .split: return what + " split"
        case .start: return what + " waited on"
        case .decTestPending: return what + " \(bytes(o.bytesLeft)) left"
        default: return what + " " + o.step.rawValue.replacingUnderscores()
        }
    }

    static func probe(_ p: ProbeEvent) -> String {
        if p.isReturn {
            guard let r = p.returnValue else { return "\(p.function) returned" }
            // Below -4095 the value is a kernel pointer (6.1 btrfs_dio_write returns the iomap_dio), not an errno.
            if r < -4095 { return "\(p.function) returned" }
            return r < 0 ? "\(p.function) returned \(errno(r))" : "\(p.function) returned \(r)"
        }
        if let pos = p.position, let count = p.count { return "\(p.function) \(range(pos, count))" }
        return p.function.string
    }

    /// `[0, +64 KiB)`
    public static func range(_ offset: UInt64, _ length: UInt64) -> String { "[\(offset), +\(bytes(length)))" }

    /// `64 KiB`, `1.5 MiB`, `512 B`: exact when the value is a whole number of KiB or MiB.
    public static func bytes(_ n: UInt64) -> String {
        if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) B"
    }

    /// `+64 KiB`, `-384 KiB`.
    public static func signed(_ n: Int64) -> String { (n < 0 ? "-" : "+") + bytes(n.magnitude) }

    /// A balance value in its unit: bytes as `bytes(_:)`, counts as numbers.
    public static func value(_ v: Int64, _ kind: BalanceKind) -> String {
        kind.isCount ? String(v) : (v < 0 ? "-" : "") + bytes(v.magnitude)
    }

    /// `-EFAULT`, or the number when the name is not in the table.
    public static func errno(_ value: Int64) -> String {
        let names: [Int64: String] = [1: "EPERM", 2: "ENOENT", 4: "EINTR", 5: "EIO", 11: "EAGAIN", 12: "ENOMEM", 14: "EFAULT",
                                      15: "ENOTBLK", 16: "EBUSY", 17: "EEXIST", 22: "EINVAL", 27: "EFBIG", 28: "ENOSPC",
                                      30: "EROFS", 95: "EOPNOTSUPP", 117: "EUCLEAN", 122: "EDQUOT", 529: "EIOCBQUEUED"]
        guard value != Int64.min, let name = names[abs(value)] else { return String(value) }
        return (value < 0 ? "-" : "") + name
    }
}

extension String {
    func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
