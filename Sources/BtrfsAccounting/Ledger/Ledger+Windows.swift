import TraceEvents

/// Space reservations and the I/O windows of direct-I/O writes (I6).
extension Ledger {
    // MARK: space reservations

    mutating func spaceReservation(_ fs: FilesystemID?, _ r: SpaceReservation, _ ref: EventRef) {
        let delta = r.isReserve ? Int64(clamping: r.bytes) : -Int64(clamping: r.bytes)
        switch r.kind {
        case .delalloc:
            let key = FilesystemInode(filesystem: fs, inode: r.value)
            if !r.isReserve { chargeMetadataConsumption(pid: ref.pid, key) }
            if r.isReserve { metadata[key, default: MetadataBalance()].reserve(delta, ref) } else { metadata[key, default: MetadataBalance()].release(-delta, ref) }
            metadataTypedReservation(r, ref)
            if isLegacyLike, let id = window(ref.pid, inodeNumber: r.value) {
                withIO(id) { io in
                    io.metadata &+= delta
                    io.chain.append(ref)
                }
            }
        case .spaceInfo(.metadata):
            if r.isReserve { metadataSpaceInfoReserve(r.bytes, ref) }
        case .spaceInfo(.data):
            guard isLegacyLike else {
                // A data reservation of the task's own (may_use +N then space_info reserve N) counts for
                // its I/O; a may_use increase without it was a ticket granted to a waiting task.
                if r.isReserve, let pending = pendingDataReserve.removeValue(forKey: TaskKey(ref.pid)), pending.bytes == delta,
                   let id = window(ref.pid, inode: nil), withIO(id, { $0.countsReservations }) == true {
                    withIO(id) { io in
                        io.data &+= pending.bytes
                        io.chain.append(pending.ref)
                    }
                    if recentWindowReserves.count >= Self.recentWindowReserveLimit { recentWindowReserves.removeFirst() }
                    recentWindowReserves.append(WindowReserve(io: id, bytes: pending.bytes, ref: pending.ref))
                }
                break
            }
            // 4.x: space_info DATA events are bytes_may_use changes; a reserve starts a new write.
            if r.isReserve {
                if let id = windowByPid[TaskKey(ref.pid)], withIO(id, { $0.source == .taskWindow }) == true {
                    withIO(id) { io in
                        io.ended = true
                        io.end = ref
                    }
                    windowByPid[TaskKey(ref.pid)] = nil
                    evaluateIO(id)
                }
                let id = makeIO(pid: ref.pid, comm: ref.comm, inodeNumber: nil, offset: nil, length: r.bytes, source: .taskWindow, begin: ref, direct: false)
                windowByPid[TaskKey(ref.pid)] = id
                withIO(id) { $0.data &+= delta }
            } else if let id = windowByPid[TaskKey(ref.pid)] {
                withIO(id) { io in
                    io.data &+= delta
                    io.chain.append(ref)
                }
            }
        case .delayedInode, .delayedItem, .transaction, .delayedRefsReserve, .localDelayedRefsReserve, .orphan:
            metadataTypedReservation(r, ref)
        default:
            break
        }
    }

    /// Before any modern-only event was seen, space_info DATA reservations are may_use changes.
    var isLegacyLike: Bool { !modernEvidence && !sawMayUseUpdates }

    // MARK: I/O windows

    mutating func makeIO(pid: Int32, comm: InternedString, inodeNumber: UInt64?, offset: UInt64?, length: UInt64?, source: WindowSource, begin: EventRef, direct: Bool) -> Int {
        let id = nextIO
        nextIO += 1
        var io = IOState(id: id, pid: pid, comm: comm, inode: nil, inodeNumber: inodeNumber, offset: offset, length: length,
                         source: source, begin: begin, isDirect: direct)
        io.chain.append(begin)
        ios[id] = io
        return id
    }

    mutating func openWindow(_ e: TraceEvent, inodeNumber: UInt64?, offset: UInt64?, length: UInt64?, source: WindowSource, direct: Bool) {
        if windowByPid[TaskKey(e.pid)] != nil { return }
        windowByPid[TaskKey(e.pid)] = makeIO(pid: e.pid, comm: e.comm, inodeNumber: inodeNumber, offset: offset, length: length,
                                    source: source, begin: EventRef(e), direct: direct)
    }

    mutating func endWindow(pid: Int32, inodeNumber: UInt64?, result: Int64?, _ ref: EventRef) {
        var id = windowByPid[TaskKey(pid)]
        if id == nil, let inodeNumber {
            // Async completion from another context: the oldest ended-by-queueing I/O on that inode.
            id = ios.values.filter { $0.inodeNumber == inodeNumber && $0.ended && $0.end != nil && $0.result == nil }.map(\.id).min()
        }
        guard let id, let i = ios.index(forKey: id) else { return }
        let ended = ioAt(i) { io -> Bool in
            if let inodeNumber, let known = io.inodeNumber, known != inodeNumber { return false }
            io.ended = true
            io.end = ref
            if result != nil { io.result = result }
            io.chain.append(ref)
            return true
        }
        guard ended else { return }
        if windowByPid[TaskKey(pid)] == id { windowByPid[TaskKey(pid)] = nil }
        evaluateIO(id)
    }

    mutating func probe(_ e: TraceEvent, _ p: ProbeEvent, _ ref: EventRef) {
        // A probe pair on btrfs_dio_write (5.9+) or btrfs_direct_IO (4.x) bounds the direct part of
        // one write (see ProbeEvents.windowFunctions); nested calls keep the outermost window.
        guard ProbeEvents.internedWindowFunctions.contains(p.function) else { return }
        if !p.isReturn {
            let depth = probeDepth[TaskKey(e.pid), default: 0]
            probeDepth[TaskKey(e.pid)] = depth + 1
            if depth == 0 {
                openWindow(e, inodeNumber: p.inode, offset: p.position, length: p.count, source: .probe(p.function.string), direct: true)
            }
        } else {
            let depth = max(probeDepth[TaskKey(e.pid), default: 1] - 1, 0)
            probeDepth[TaskKey(e.pid)] = depth
            // btrfs_dio_write returns a struct iomap_dio pointer on 6.x: only errno-like or byte-count values are results.
            let result = p.returnValue.flatMap { $0 >= -4095 && $0 < (1 << 40) ? $0 : nil }
            if depth == 0 { endWindow(pid: e.pid, inodeNumber: nil, result: result, ref) }
        }
    }

    /// The open window of `pid` if it concerns `inode` (binding the window to it on first use).
    mutating func window(_ pid: Int32, inode: InodeKey?) -> Int? {
        guard let inode else { return windowByPid[TaskKey(pid)].flatMap { ios.index(forKey: $0) == nil ? nil : $0 } }
        guard let id = window(pid, inodeNumber: inode.inode), let i = ios.index(forKey: id) else { return nil }
        if let bound = ioAt(i, { $0.inode }) { return bound == inode ? id : nil }
        ios.values[i].inode = inode
        return id
    }

    mutating func window(_ pid: Int32, inodeNumber: UInt64) -> Int? {
        guard let id = windowByPid[TaskKey(pid)], let i = ios.index(forKey: id) else { return nil }
        if let n = ioAt(i, { $0.inodeNumber }) { return n == inodeNumber ? id : nil }
        ios.values[i].inodeNumber = inodeNumber
        if directWriters.contains(PidInode(pid: pid, inode: inodeNumber)) { ios.values[i].isDirect = true }
        return id
    }

    /// Applies `body` to I/O `id` in place (one lookup, no copy of its state); nil when the I/O
    /// is gone. `ios[id]?.field = x` moves the whole state out and back, and the reads
    /// `ios[id]?.field` and `ios.values[i].field` copy it (its chain retained and released).
    @discardableResult
    mutating func withIO<T>(_ id: Int, _ body: (inout IOState) -> T) -> T? {
        guard let i = ios.index(forKey: id) else { return nil }
        return body(&ios.values[i])
    }

    /// `body` on the I/O at index `i` of `ios`, in place.
    @inline(__always)
    mutating func ioAt<T>(_ i: Dictionary<Int, IOState>.Index, _ body: (inout IOState) -> T) -> T {
        body(&ios.values[i])
    }

    /// Applies `body` to the state of `key` in place, creating it first when the inode is new.
    @discardableResult
    mutating func modifyInode<Result>(_ key: InodeKey, _ body: (inout InodeState) -> Result) -> Result {
        body(&inodes[key, default: InodeState(key: key)])
    }

    /// An I/O is over when its window ended and all of its ordered extents were removed; then every
    /// reservation it made must be gone.
    mutating func evaluateIO(_ id: Int) {
        guard withIO(id, { $0.ended && $0.openOrderedExtents <= 0 }) == true, let io = ios.removeValue(forKey: id) else { return }
        if io.isDirect, io.direction != .read { timeline?.window(io, filesystem: lastFilesystem) }
        guard io.isDirect, io.countsReservations else { return }
        remember(io)
        emit(.ioEnded(io))
    }

    static let recentWindowReserveLimit = 32
    /// Longest time from a grant to the waiter's `btrfs_reserve_ticket` (it prints once woken).
    static let ticketWakeLimit: UInt64 = 1_000_000_000

    /// A task's granted DATA ticket: the bytes were added to bytes_may_use by the task whose
    /// release granted it, in that task's context (6.18 prints `space_info: 1 reserve N` there
    /// too; 6.1 prints only the may_use change). They are the waiter's, not the granter's I/O's.
    mutating func ticketGranted(_ t: ReservationTicket, _ ref: EventRef) {
        guard t.space == .data, t.error == 0, t.bytes > 0 else { return }
        func recentEnough(_ r: WindowReserve) -> Bool {
            guard let now = ref.timestamp, let then = r.ref.timestamp else { return true }
            return then <= now && now - then <= Self.ticketWakeLimit
        }
        guard let i = recentWindowReserves.lastIndex(where: { r in
            r.ref.pid != ref.pid && r.bytes == Int64(clamping: t.bytes) && recentEnough(r)
        }) else { return }
        let grant = recentWindowReserves.remove(at: i)
        guard ios.index(forKey: grant.io) != nil else { return }
        withIO(grant.io) { io in
            io.data &-= grant.bytes
            io.chain.append(ref.with(BalanceStep(kind: .dataReserved, delta: -grant.bytes)))
        }
    }
}

/// A data reservation counted for an I/O window.
struct WindowReserve: Sendable {
    var io: Int
    var bytes: Int64
    var ref: EventRef
}
