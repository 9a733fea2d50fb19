public import TraceEvents

/// Replays accounting events per filesystem, per inode, per ordered extent and per direct I/O,
/// and turns broken balances into findings.
///
/// What is exact depends on the kernel generation (see README "Balances"):
/// - I1 outstanding extents (`btrfs_inode_mod_outstanding_extents`, 4.15+): exact per inode.
/// - I2 delalloc metadata: exact on 4.x (the seed-bug era), bounded on 5.x/6.x where tree-block
///   COW consumes part of it without a per-inode event, so it never raises an error there.
/// - I3 ordered extents: exact once splits are modelled (removes match by range).
/// - I5 bytes_may_use: absolute from `update_bytes_may_use` `old=`.
/// - I6 per-I/O data reservation: exact within one I/O window.
public struct Ledger {
    let fileNames: [String]
    var inodes: [InodeKey: InodeState] = [:]
    var metadata: [FilesystemInode: MetadataBalance] = [:]
    /// Per-task progress through metadata reservations and work items (I2, MetadataBalance.swift).
    var taskMetadata: [Int32: TaskMetadataState] = [:]
    var sawWorkItems = false
    /// Data reservations of a task waiting for their `space_info` event before they count for its I/O.
    /// Running values the kernel prints (`old=`, `cur_reserved=`), ValueChain.swift.
    var valueChains: [ValueChainKey: ValueChain] = [:]
    /// Evictions seen, with each inode's direct-I/O history (capped at `evictionLimit`).
    public private(set) var evictions: [InodeEviction] = []
    static let evictionLimit = 100_000
    var pendingDataReserve: [Int32: (bytes: Int64, ref: EventRef)] = [:]
    var ios: [Int: IOState] = [:]
    var windowByPid: [Int32: Int] = [:]
    var probeDepth: [Int32: Int] = [:]
    var nextIO = 0
    var mayUse: [SpaceKey: SpaceValue] = [:]
    var findings: [Finding] = []
    var balances: [InodeBalance] = []
    var lastFilesystem: FilesystemID?
    var unmounted: Set<FilesystemIDBox> = []
    var directWriters: Set<PidInode> = []
    var legacyEvidence = false
    var modernEvidence = false
    var sawMayUseUpdates = false
    /// Ordered-extent balances are observable only when removes are traced.
    var sawOrderedExtentRemove = false
    var lossRefs: [EventRef] = []
    var lostEvents: UInt64 = 0
    var lastTimestamp: UInt64?
    var reportedInodeRule: Set<ReportedKey> = []
    /// Line of the event being applied, and the line at which each finding was made.
    var currentLine = 0
    var findingLines: [Int] = []
    /// Last event line seen per CPU: events lost on a CPU happened after it.
    var lastLineByCPU: [Int32: Int] = [:]

    /// Inodes whose btrfs_inode_evict was seen, with that event, until their task moves on.
    var evicting: [InodeKey: EventRef] = [:]

    /// ≤4.7 kernels print the fsid only on btrfs_space_reservation: state keyed before the first
    /// fsid was seen belongs to that filesystem.
    mutating func adopt(_ fs: FilesystemID) {
        for (key, var state) in inodes where key.filesystem == nil {
            inodes[key] = nil
            state.key.filesystem = fs
            inodes[state.key] = state
        }
        for (key, ref) in evicting where key.filesystem == nil {
            evicting[key] = nil
            evicting[InodeKey(filesystem: fs, root: key.root, inode: key.inode)] = ref
        }
        for (key, balance) in metadata where key.filesystem == nil {
            metadata[key] = nil
            metadata[FilesystemInode(filesystem: fs, inode: key.inode)] = balance
        }
    }

    /// Finishes evictions whose task now works on another inode (inode events settle in `apply`).
    mutating func settleEvictions(_ event: TraceEvent) {
        let other: UInt64?
        switch event.payload {
        case .outstandingExtents(let c): other = c.inode
        case .orderedExtent(let o): other = o.inode
        case .spaceReservation(let r) where r.kind == .delalloc: other = r.value
        default: other = nil
        }
        guard let other else { return }
        finishPendingEvictions(of: event.pid, except: other)
    }

    mutating func finishPendingEvictions(of pid: Int32, except inode: UInt64?) {
        let due = evicting.filter { $0.value.pid == pid && $0.key.inode != inode }
        for key in due.keys.sorted(by: Self.order) {
            if let ref = evicting.removeValue(forKey: key) { evict(key, ref) }
        }
    }

    struct SpaceKey: Hashable { var filesystem: FilesystemID?; var space: SpaceKind }
    struct SpaceValue { var value: Int64?; var last: EventRef; var chain = EventChain() }
    struct FilesystemIDBox: Hashable { var id: FilesystemID? }
    struct PidInode: Hashable { var pid: Int32; var inode: UInt64 }
    struct ReportedKey: Hashable { var rule: String; var inode: InodeKey }

    public init(fileNames: [String]) { self.fileNames = fileNames }

    var lossSeen: Bool { !lossRefs.isEmpty }
    var isLegacy: Bool { legacyEvidence && !modernEvidence }

    public mutating func apply(_ event: TraceEvent) {
        if !evicting.isEmpty { settleEvictions(event) }
        if let fs = event.filesystem {
            if lastFilesystem == nil { adopt(fs) }
            lastFilesystem = fs
        }
        if let t = event.timestamp { lastTimestamp = t }
        let fs = event.filesystem ?? lastFilesystem
        let ref = EventRef(event)
        currentLine = event.origin.line
        if case .dataLoss = event.payload {} else if event.cpu >= 0 { lastLineByCPU[event.cpu] = event.origin.line }
        switch event.payload {
        case .dataLoss(let loss):
            // The marker is printed before the CPU's next event; what was lost happened after the
            // CPU's previous event, so findings made since then rest on an incomplete trace.
            let since = loss.kind == .lost ? (lastLineByCPU[loss.cpu] ?? 0) : 0
            downgradeFindings(madeAfter: since)
            lossRefs.append(ref)
            lostEvents &+= loss.count
            for id in ios.keys { ios[id]?.lossDuring = true }
            for key in inodes.keys { inodes[key]?.sawDataLossSinceStart = true }
        case .inode(let i):
            if event.filesystem == nil { legacyEvidence = true }
            let key = InodeKey(filesystem: fs, root: i.root, inode: i.inode)
            switch i.kind {
            case .new:
                // The number was freed and reused: finish the old inode first.
                if let pending = evicting.removeValue(forKey: key) { evict(key, pending) }
                var state = InodeState(key: key)
                state.baselineKnown = !lossSeen
                inodes[key] = state
            case .evict:
                if event.comm == "umount" { unmounted.insert(FilesystemIDBox(id: fs)) }
                // btrfs_inode_evict fires first in btrfs_evict_inode; truncating the page cache
                // releases what is left after it. Check the inode once its evicting task moves on.
                finishPendingEvictions(of: ref.pid, except: nil)
                if let existing = evicting[key] { evict(key, existing) }
                evicting[key] = ref
            case .request:
                break
            }
        case .outstandingExtents(let c):
            modernEvidence = true
            outstandingChanged(InodeKey(filesystem: fs, root: c.root, inode: c.inode), c, ref)
        case .orderedExtent(let oe):
            if event.filesystem == nil { legacyEvidence = true }
            orderedExtent(InodeKey(filesystem: fs, root: oe.root, inode: oe.inode), oe, ref)
        case .spaceReservation(let r):
            spaceReservation(fs, r, ref)
        case .spaceInfoUpdate(let u):
            modernEvidence = true
            sawMayUseUpdates = true
            guard u.counter == .bytesMayUse else { break }
            let key = SpaceKey(filesystem: fs, space: u.space)
            var value = mayUse.removeValue(forKey: key) ?? SpaceValue(value: nil, last: ref)
            if let old = u.old, old <= UInt64(Int64.max) { value.value = Int64(old) &+ u.diff } else if let v = value.value { value.value = v &+ u.diff }
            value.last = ref
            value.chain.append(ref)
            if value.value == 0 { value.chain.reset() }
            mayUse[key] = value
            checkChain(SpaceKey(filesystem: fs, space: u.space), old: u.old, diff: u.diff, ref)
            if u.space == .metadata { metadataMayUse(u.diff, ref) }
            if u.space == .data {
                pendingDataReserve[event.pid] = nil
                if let id = window(event.pid, inode: nil), ios[id]?.countsReservations == true {
                    if u.diff > 0 {
                        pendingDataReserve[event.pid] = (u.diff, ref)
                    } else {
                        ios[id]?.data &+= u.diff
                        ios[id]?.chain.append(ref)
                    }
                }
            }
        case .directIOBegin(let b):
            modernEvidence = true
            // A begin without completion (a read at EOF returns before iomap_dio_complete) ends at
            // the task's next direct I/O, whatever the inode.
            if let open = windowByPid[event.pid], ios[open]?.source == .iomap {
                endWindow(pid: event.pid, inodeNumber: nil, result: nil, ref)
            }
            openWindow(event, inodeNumber: b.inode, offset: b.offset, length: b.length, source: .iomap, direct: true)
            if let id = windowByPid[event.pid], b.isWrite { ios[id]?.direction = .write }
        case .iomapIteration(let it):
            if it.isDirect, let id = windowByPid[event.pid], let io = ios[id], io.inodeNumber == nil || io.inodeNumber == it.inode,
               io.direction == .unknown {
                ios[id]?.direction = it.isWrite ? .write : .read
            }
        case .work(let w):
            work(w, ref)
        case .directIOEnd(let e):
            endWindow(pid: event.pid, inodeNumber: e.inode, result: e.isQueued ? nil : (e.error != 0 ? e.error : e.result), ref)
        case .probe(let p):
            probe(event, p, ref)
        case .qgroupData(let q):
            let key = InodeKey(filesystem: fs, root: q.root, inode: q.inode)
            var state = inodes.removeValue(forKey: key) ?? InodeState(key: key)
            state.qgroupData.add(q.operation == .reserve ? Int64(clamping: q.reserved) : -Int64(clamping: q.reserved), ref)
            inodes[key] = state
        case .qgroupReserveUpdate(let q):
            checkChain(QgroupKey(filesystem: fs, qgroup: q.qgroup, type: q.type), current: q.currentReserved, diff: q.diff, ref)
        case .qgroupMeta, .orderedRangeFinished, .extentReserved, .reservedExtentAllocated,
             .reservedExtentFreed, .transactionCommit:
            break
        }
    }

    // MARK: I1

    mutating func outstandingChanged(_ key: InodeKey, _ c: OutstandingExtentsChange, _ ref: EventRef) {
        var state = inodes.removeValue(forKey: key) ?? InodeState(key: key)
        state.outstanding.add(c.mod, ref)
        if let reported = c.outstanding {
            // 6.12+: the kernel's value after the change; with an unknown baseline the offset must stay constant.
            let replayed = state.outstanding.sum
            if state.baselineKnown {
                if Int64(clamping: reported) != replayed { mismatch(&state, reported: reported, replayed: replayed, ref) }
            } else if let last = state.lastReportedOutstanding {
                if Int64(clamping: reported) &- Int64(clamping: last) != c.mod { mismatch(&state, reported: reported, replayed: replayed, ref) }
            }
            state.lastReportedOutstanding = reported
        }
        if state.baselineKnown && state.outstanding.sum < 0 {
            report(.releasedMoreThanReserved, state.key, once: true, amount: state.outstanding.sum, unit: .extents,
                   message: "Outstanding extents of inode \(key.inode) went below zero (\(state.outstanding.sum)) although the inode was created in this trace.",
                   chain: state.outstanding.chain, extra: [], lossy: state.sawDataLossSinceStart)
        }
        if let id = window(ref.pid, inode: key) {
            ios[id]?.outstanding &+= c.mod
            ios[id]?.chain.append(ref)
        } else if c.mod < 0 {
            // btrfs_remove_ordered_extent drops one outstanding extent just before its
            // btrfs_ordered_extent_remove event; only the latest such change of a task is kept
            // (other releases, e.g. writeback clearing delalloc, are not followed by a remove).
            state.pendingRemoveMods[ref.pid] = (c.mod, [ref])
        }
        inodes[key] = state
    }

    mutating func mismatch(_ state: inout InodeState, reported: UInt64, replayed: Int64, _ ref: EventRef) {
        var chain = state.outstanding.chain
        chain.append(ref)
        report(.outstandingMismatch, state.key, once: true, amount: Int64(clamping: reported) &- replayed, unit: .extents,
               message: "The kernel printed outstanding=\(reported) for inode \(state.key.inode), the replay expected a change of the previous value consistent with the events; an event was missed.",
               chain: chain, extra: [], lossy: false)
    }

    // MARK: I3

    mutating func orderedExtent(_ key: InodeKey, _ oe: OrderedExtentEvent, _ ref: EventRef) {
        switch oe.step {
        case .add:
            var state = inodes.removeValue(forKey: key) ?? InodeState(key: key)
            state.orderedExtentsAdded += 1
            let io = window(ref.pid, inode: key)
            if let io {
                ios[io]?.openOrderedExtents += 1
                ios[io]?.createdOrderedExtents += 1
                ios[io]?.chain.append(ref)
                if oe.flags.contains(.direct) {
                    ios[io]?.isDirect = true
                    ios[io]?.direction = .write
                    directWriters.insert(PidInode(pid: ref.pid, inode: key.inode))
                } else {
                    // A non-DIRECT ordered extent inside a direct-I/O window is writeback of dirty page
                    // cache over the range (iomap flushes it first; generic/095's mmap and buffered
                    // writers leave some). Its outstanding-extent changes belong to other writers.
                    ios[io]?.sawWriteback = true
                }
            }
            var chain = EventChain()
            chain.append(ref)
            state.openOrderedExtents.append(OrderedExtentState(
                fileOffset: oe.fileOffset, length: oe.length, remaining: oe.length, diskStart: oe.diskStart,
                flags: oe.flags, added: ref, io: io, chain: chain))
            inodes[key] = state
        case .remove:
            sawOrderedExtentRemove = true
            chargeMetadataConsumption(pid: ref.pid, FilesystemInode(filesystem: key.filesystem, inode: key.inode))
            var state = inodes.removeValue(forKey: key) ?? InodeState(key: key)
            let pending = state.pendingRemoveMods.removeValue(forKey: ref.pid)
            // Exact match first; a split-off piece (6.x btrfs_split_ordered_extent) is removed with no
            // add of its own and matches the extent it was cut from by range.
            let exact = state.openOrderedExtents.lastIndex(where: { $0.fileOffset == oe.fileOffset && $0.remaining == oe.length })
                ?? state.openOrderedExtents.lastIndex(where: { $0.fileOffset == oe.fileOffset })
            if let index = exact ?? state.openOrderedExtents.lastIndex(where: { $0.fileOffset <= oe.fileOffset && oe.fileOffset < $0.fileOffset &+ max($0.length, 1) }) {
                var entry = state.openOrderedExtents[index]
                entry.remaining = entry.remaining > oe.length ? entry.remaining - oe.length : 0
                entry.chain.append(ref)
                if let io = entry.io {
                    if let pending {
                        ios[io]?.outstanding &+= pending.0
                        for r in pending.1 { ios[io]?.chain.append(r) }
                    }
                    ios[io]?.chain.append(ref)
                }
                if entry.remaining == 0 {
                    state.openOrderedExtents.remove(at: index)
                    inodes[key] = state
                    if let io = entry.io {
                        ios[io]?.openOrderedExtents -= 1
                        evaluateIO(io)
                    }
                } else {
                    state.openOrderedExtents[index] = entry
                    inodes[key] = state
                }
            } else {
                if state.baselineKnown {
                    var chain = EventChain()
                    chain.append(ref)
                    report(.releasedMoreThanReserved, key, once: false, amount: Int64(clamping: oe.length), unit: .bytes,
                           message: "Ordered extent [\(oe.fileOffset), +\(oe.length)) of inode \(key.inode) was removed but never added, although the inode was created in this trace.",
                           chain: chain, extra: [], lossy: state.sawDataLossSinceStart)
                }
                inodes[key] = state
            }
        default:
            break
        }
    }

    // MARK: space reservations

    mutating func spaceReservation(_ fs: FilesystemID?, _ r: SpaceReservation, _ ref: EventRef) {
        let delta = r.isReserve ? Int64(clamping: r.bytes) : -Int64(clamping: r.bytes)
        switch r.kind {
        case .delalloc:
            let key = FilesystemInode(filesystem: fs, inode: r.value)
            if !r.isReserve { chargeMetadataConsumption(pid: ref.pid, key) }
            var balance = metadata.removeValue(forKey: key) ?? MetadataBalance()
            if r.isReserve { balance.reserve(delta, ref) } else { balance.release(-delta, ref) }
            metadata[key] = balance
            metadataTypedReservation(r, ref)
            if isLegacyLike, let id = window(ref.pid, inodeNumber: r.value) {
                ios[id]?.metadata &+= delta
                ios[id]?.chain.append(ref)
            }
        case .spaceInfo(.metadata):
            if r.isReserve { metadataSpaceInfoReserve(r.bytes, ref) }
        case .spaceInfo(.data):
            guard isLegacyLike else {
                // A data reservation of the task's own (may_use +N then space_info reserve N) counts for
                // its I/O; a may_use increase without it was a ticket granted to a waiting task.
                if r.isReserve, let pending = pendingDataReserve.removeValue(forKey: ref.pid), pending.bytes == delta,
                   let id = window(ref.pid, inode: nil), ios[id]?.countsReservations == true {
                    ios[id]?.data &+= pending.bytes
                    ios[id]?.chain.append(pending.ref)
                }
                break
            }
            // 4.x: space_info DATA events are bytes_may_use changes; a reserve starts a new write.
            if r.isReserve {
                if let id = windowByPid[ref.pid], ios[id]?.source == .taskWindow {
                    ios[id]?.ended = true
                    ios[id]?.end = ref
                    windowByPid[ref.pid] = nil
                    evaluateIO(id)
                }
                let id = makeIO(pid: ref.pid, comm: ref.comm, inodeNumber: nil, offset: nil, length: r.bytes, source: .taskWindow, begin: ref, direct: false)
                windowByPid[ref.pid] = id
                ios[id]?.data &+= delta
            } else if let id = windowByPid[ref.pid] {
                ios[id]?.data &+= delta
                ios[id]?.chain.append(ref)
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

    mutating func makeIO(pid: Int32, comm: String, inodeNumber: UInt64?, offset: UInt64?, length: UInt64?, source: WindowSource, begin: EventRef, direct: Bool) -> Int {
        let id = nextIO
        nextIO += 1
        var io = IOState(id: id, pid: pid, comm: comm, inode: nil, inodeNumber: inodeNumber, offset: offset, length: length,
                         source: source, begin: begin, isDirect: direct)
        io.chain.append(begin)
        ios[id] = io
        return id
    }

    mutating func openWindow(_ e: TraceEvent, inodeNumber: UInt64?, offset: UInt64?, length: UInt64?, source: WindowSource, direct: Bool) {
        if windowByPid[e.pid] != nil { return }
        windowByPid[e.pid] = makeIO(pid: e.pid, comm: e.comm, inodeNumber: inodeNumber, offset: offset, length: length,
                                    source: source, begin: EventRef(e), direct: direct)
    }

    mutating func endWindow(pid: Int32, inodeNumber: UInt64?, result: Int64?, _ ref: EventRef) {
        var id = windowByPid[pid]
        if id == nil, let inodeNumber {
            // Async completion from another context: the oldest ended-by-queueing I/O on that inode.
            id = ios.values.filter { $0.inodeNumber == inodeNumber && $0.ended && $0.end != nil && $0.result == nil }.map(\.id).min()
        }
        guard let id, var io = ios[id] else { return }
        if let inodeNumber, let known = io.inodeNumber, known != inodeNumber { return }
        io.ended = true
        io.end = ref
        if result != nil { io.result = result }
        io.chain.append(ref)
        ios[id] = io
        if windowByPid[pid] == id { windowByPid[pid] = nil }
        evaluateIO(id)
    }

    mutating func probe(_ e: TraceEvent, _ p: ProbeEvent, _ ref: EventRef) {
        // A probe pair on btrfs_dio_write (5.9+) or btrfs_direct_IO (4.x) bounds the direct part of
        // one write (see ProbeEvents.windowFunctions); nested calls keep the outermost window.
        guard ProbeEvents.windowFunctions.contains(p.function) else { return }
        if !p.isReturn {
            let depth = probeDepth[e.pid, default: 0]
            probeDepth[e.pid] = depth + 1
            if depth == 0 {
                openWindow(e, inodeNumber: p.inode, offset: p.position, length: p.count, source: .probe(p.function), direct: true)
            }
        } else {
            let depth = max(probeDepth[e.pid, default: 1] - 1, 0)
            probeDepth[e.pid] = depth
            // btrfs_dio_write returns a struct iomap_dio pointer on 6.x: only errno-like or byte-count values are results.
            let result = p.returnValue.flatMap { $0 >= -4095 && $0 < (1 << 40) ? $0 : nil }
            if depth == 0 { endWindow(pid: e.pid, inodeNumber: nil, result: result, ref) }
        }
    }

    /// The open window of `pid` if it concerns `inode` (binding the window to it on first use).
    mutating func window(_ pid: Int32, inode: InodeKey?) -> Int? {
        guard let inode else { return windowByPid[pid].flatMap { ios[$0] == nil ? nil : $0 } }
        guard let id = window(pid, inodeNumber: inode.inode) else { return nil }
        if let bound = ios[id]?.inode { return bound == inode ? id : nil }
        ios[id]?.inode = inode
        return id
    }

    mutating func window(_ pid: Int32, inodeNumber: UInt64) -> Int? {
        guard let id = windowByPid[pid], var io = ios[id] else { return nil }
        if let n = io.inodeNumber { return n == inodeNumber ? id : nil }
        io.inodeNumber = inodeNumber
        if directWriters.contains(PidInode(pid: pid, inode: inodeNumber)) { io.isDirect = true }
        ios[id] = io
        return id
    }

    /// An I/O is over when its window ended and all of its ordered extents were removed; then every
    /// reservation it made must be gone.
    mutating func evaluateIO(_ id: Int) {
        guard let io = ios[id], io.ended, io.openOrderedExtents <= 0 else { return }
        ios[id] = nil
        guard io.isDirect, io.countsReservations else { return }
        remember(io)
        var held: [String] = []
        if io.outstanding > 0 && !io.sawWriteback { held.append("\(io.outstanding) outstanding extent\(io.outstanding == 1 ? "" : "s")") }
        if io.data > 0 { held.append("\(io.data) bytes of data reservation (bytes_may_use)") }
        if isLegacy, io.metadata > 0, io.createdOrderedExtents == 0 { held.append("\(io.metadata) bytes of delalloc metadata reservation") }
        guard !held.isEmpty else { return }
        let key = io.inode ?? InodeKey(filesystem: lastFilesystem, root: 5, inode: io.inodeNumber ?? 0)
        let ioDescription = IODescription(task: io.comm, pid: io.pid, offset: io.offset, length: io.length, source: io.source.description, result: io.result)
        var message = "Direct-I/O write by \(io.comm)-\(io.pid) on inode \(io.inodeNumber.map(String.init) ?? "?")"
        if let o = io.offset, let l = io.length { message += " range [\(o), +\(l))" }
        if let r = io.result { message += " (returned \(r))" }
        message += " still holds \(held.joined(separator: " and ")) after the I/O ended"
        message += io.createdOrderedExtents > 0 ? " and its \(io.createdOrderedExtents) ordered extent(s) were removed." : "; it created no ordered extent, so nothing will release it: an error path skipped the release (the 50745b0a7f46 class of leak)."
        let countsOutstanding = io.outstanding > 0 && !io.sawWriteback
        let amount = io.data > 0 ? io.data : countsOutstanding ? io.outstanding : io.metadata
        let unit: AmountUnit = io.data > 0 ? .bytes : countsOutstanding ? .extents : .bytes
        var finding = makeFinding(.reservationOutlivedIO, key, amount: amount, unit: unit, message: message, chain: io.chain, extra: [], lossy: io.lossDuring)
        finding.io = ioDescription
        record(finding)
    }

    // MARK: eviction

    mutating func evict(_ key: InodeKey, _ ref: EventRef) {
        // Windows of this inode that can no longer change.
        for (id, io) in ios where io.inode == key || (io.inode == nil && io.inodeNumber == key.inode) {
            if io.source == .taskWindow {
                ios[id]?.ended = true
                ios[id]?.end = ref
                if windowByPid[io.pid] == id { windowByPid[io.pid] = nil }
            }
            ios[id]?.openOrderedExtents = 0
        }
        for id in ios.keys.sorted() { evaluateIO(id) }
        let state = inodes.removeValue(forKey: key) ?? InodeState(key: key)
        let lossy = state.sawDataLossSinceStart || (!state.baselineKnown && lossSeen)
        let held = state.outstanding.held(baselineKnown: state.baselineKnown)
        if state.outstanding.touched && held > 0 {
            report(.leakAtEvictOutstandingExtents, key, once: false, amount: held, unit: .extents,
                   message: "Inode \(key.inode) (root \(key.root)) was evicted with \(held) outstanding extent\(held == 1 ? "" : "s") still counted; btrfs_destroy_inode warns WARN_ON(inode->outstanding_extents).",
                   chain: state.outstanding.chain, extra: [ref], lossy: lossy)
        }
        for oe in state.openOrderedExtents {
            report(.leakAtEvictOrderedExtent, key, once: false, amount: Int64(clamping: oe.remaining), unit: .bytes,
                   message: "Ordered extent [\(oe.fileOffset), +\(oe.length)) of inode \(key.inode) was never removed before eviction; btrfs_destroy_inode prints 'found ordered extent \(oe.fileOffset) \(oe.length) on inode cleanup'.",
                   chain: oe.chain, extra: [ref], lossy: lossy)
        }
        let metaKey = FilesystemInode(filesystem: key.filesystem, inode: key.inode)
        let meta = metadata.removeValue(forKey: metaKey)
        checkMetadataAtEvict(key, meta, baselineKnown: state.baselineKnown, evictRef: ref, lossy: lossy)
        let qgroupHeld = state.qgroupData.held(baselineKnown: state.baselineKnown)
        if state.qgroupData.touched && qgroupHeld > 0 {
            report(.leakAtEvictQgroup, key, once: false, amount: qgroupHeld, unit: .bytes,
                   message: "Inode \(key.inode) was evicted with \(qgroupHeld) bytes of qgroup data reservation not released by any traced event.",
                   chain: state.qgroupData.chain, extra: [ref], lossy: lossy)
        }
        balances.append(balance(state, meta: meta, evicted: true))
        if evictions.count < Self.evictionLimit {
            let history = state.history.filter(\.failed) + state.history.filter { !$0.failed }
            evictions.append(InodeEviction(filesystem: key.filesystem, root: key.root, inode: key.inode, event: reference(ref), history: history))
        }
    }

    /// Adds a finished direct-I/O write to its inode's history.
    mutating func remember(_ io: IOState) {
        let key = io.inode ?? io.inodeNumber.flatMap { n in
            inodes.keys.filter { $0.inode == n && $0.filesystem == lastFilesystem }.min(by: Self.order)
        }
        guard let key, inodes[key] != nil else { return }
        let description = IODescription(task: io.comm, pid: io.pid, offset: io.offset, length: io.length, source: io.source.description, result: io.result)
        let record = InodeIORecord(io: description, begin: reference(io.begin), end: io.end.map(reference))
        inodes[key]?.remember(record)
    }

    func balance(_ state: InodeState, meta: MetadataBalance?, evicted: Bool) -> InodeBalance {
        InodeBalance(filesystem: state.key.filesystem, root: state.key.root, inode: state.key.inode,
                     outstandingExtents: state.outstanding.sum, metadataReserved: meta?.balance.sum ?? 0,
                     openOrderedExtents: state.openOrderedExtents.count, orderedExtentsAdded: state.orderedExtentsAdded,
                     qgroupDataReserved: state.qgroupData.sum, evicted: evicted, baseline: state.baselineKnown ? "known" : "unknown")
    }

    // MARK: findings

    func reference(_ r: EventRef) -> EventReference {
        EventReference(file: Int(r.file) < fileNames.count ? fileNames[Int(r.file)] : "?", line: r.line,
                       timestamp: r.timestamp, task: r.comm, pid: r.pid, event: r.name)
    }

    func makeFinding(_ rule: Rule, _ key: InodeKey, amount: Int64, unit: AmountUnit, message: String, chain: EventChain,
                     extra: [EventRef], lossy: Bool) -> Finding {
        var events = chain.events.map(reference)
        events += extra.map(reference)
        var severity = rule.defaultSeverity
        var text = message
        if lossy && severity == .error {
            severity = .warning
            text += " Confidence lowered: the trace lost events."
        }
        return Finding(rule: rule, severity: severity, filesystem: key.filesystem, root: key.root, inode: key.inode,
                       amount: amount, unit: unit.rawValue, message: text, events: events, elidedEvents: chain.elided)
    }

    mutating func record(_ finding: Finding) {
        findings.append(finding)
        findingLines.append(currentLine)
    }

    mutating func downgradeFindings(madeAfter line: Int) {
        for i in findings.indices where findingLines[i] > line && findings[i].severity == .error {
            findings[i].severity = .warning
            findings[i].message += " Confidence lowered: the trace lost events."
        }
    }

    mutating func report(_ rule: Rule, _ key: InodeKey, once: Bool, amount: Int64, unit: AmountUnit, message: String,
                         chain: EventChain, extra: [EventRef], lossy: Bool) {
        if once {
            let k = ReportedKey(rule: rule.id, inode: key)
            if reportedInodeRule.contains(k) { return }
            reportedInodeRule.insert(k)
        }
        record(makeFinding(rule, key, amount: amount, unit: unit, message: message, chain: chain, extra: extra, lossy: lossy))
    }

    /// Ends the replay: closes windows, reports what is still held, and returns the results.
    public mutating func finish() -> (findings: [Finding], inodes: [InodeBalance], generation: String) {
        flushValueChains()
        for key in evicting.keys.sorted(by: Self.order) {
            if let ref = evicting.removeValue(forKey: key) { evict(key, ref) }
        }
        for id in ios.keys where ios[id]?.source == .taskWindow { ios[id]?.ended = true }
        for id in ios.keys.sorted() { evaluateIO(id) }
        for key in inodes.keys.sorted(by: Self.order) {
            guard let state = inodes[key] else { continue }
            let held = state.outstanding.held(baselineKnown: state.baselineKnown)
            let lossy = state.sawDataLossSinceStart || lossSeen
            if state.outstanding.touched && held > 0 {
                report(.heldAtEndOfTrace, key, once: true, amount: held, unit: .extents,
                       message: "Inode \(key.inode) still had \(held) outstanding extent\(held == 1 ? "" : "s") when the trace ended (no eviction seen).",
                       chain: state.outstanding.chain, extra: [], lossy: lossy)
            }
            for oe in state.openOrderedExtents where sawOrderedExtentRemove {
                let age = (lastTimestamp ?? 0) &- (oe.added.timestamp ?? lastTimestamp ?? 0)
                let rule: Rule = age > 5_000_000_000 ? .orderedExtentNeverFinished : .heldAtEndOfTrace
                report(rule, key, once: false, amount: Int64(clamping: oe.remaining), unit: .bytes,
                       message: "Ordered extent [\(oe.fileOffset), +\(oe.length)) of inode \(key.inode) was still open when the trace ended\(rule == .orderedExtentNeverFinished ? ", more than 5 s after it was added" : "").",
                       chain: oe.chain, extra: [], lossy: lossy)
            }
            balances.append(balance(state, meta: metadata[FilesystemInode(filesystem: key.filesystem, inode: key.inode)], evicted: false))
        }
        for key in mayUse.keys.sorted(by: { a, b in
            let fa = a.filesystem ?? FilesystemID(high: 0, low: 0), fb = b.filesystem ?? FilesystemID(high: 0, low: 0)
            return fa != fb ? fa < fb : a.space < b.space
        }) {
            guard let v = mayUse[key], let value = v.value, value != 0, unmounted.contains(FilesystemIDBox(id: key.filesystem)) else { continue }
            var chain = v.chain
            chain.append(v.last)
            let finding = makeFinding(.heldAtUnmount, InodeKey(filesystem: key.filesystem, root: 0, inode: 0), amount: value, unit: .bytes,
                                      message: "\(key.space.name) bytes_may_use is \(value) after the filesystem was unmounted; btrfs_free_block_groups warns WARN_ON(space_info->bytes_may_use > 0).",
                                      chain: chain, extra: [], lossy: lossSeen)
            var f = finding
            f.root = nil
            f.inode = nil
            record(f)
        }
        if let first = lossRefs.first {
            var chain = EventChain()
            for r in lossRefs { chain.append(r) }
            var f = Finding(rule: .dataLoss, filesystem: lastFilesystem, root: nil, inode: nil, amount: Int64(clamping: lostEvents), unit: AmountUnit.events.rawValue,
                            message: "The trace lost \(lostEvents) events (\(lossRefs.count) marker\(lossRefs.count == 1 ? "" : "s"), first at line \(first.line)); balances spanning the gap are not exact and inode baselines after it are unknown.",
                            events: chain.events.map(reference), elidedEvents: chain.elided)
            f.severity = .warning
            record(f)
        }
        let generation = isLegacy ? "4.x (ordered-extent events without fsid: delalloc balance exact)"
            : modernEvidence ? (sawWorkItems ? "4.15+ (outstanding extents exact, delalloc exact: work-item events bound ordered-extent completion)"
                                : "4.15+ (outstanding extents exact, delalloc bounded: no btrfs_work_sched events)")
            : "undetermined (no generation-specific events)"
        return (findings, balances, generation)
    }

    static func order(_ a: InodeKey, _ b: InodeKey) -> Bool {
        let fa = a.filesystem ?? FilesystemID(high: 0, low: 0), fb = b.filesystem ?? FilesystemID(high: 0, low: 0)
        return (fa, a.root, a.inode) < (fb, b.root, b.inode)
    }
}
