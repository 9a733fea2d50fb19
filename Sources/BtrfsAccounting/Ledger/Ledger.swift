public import TraceEvents

/// Replays accounting events per filesystem, per inode, per ordered extent and per direct I/O
/// into balances, and emits the moments at which they are checked (I/O ended, inode evicted, end
/// of trace, a kernel-printed value broke); the checks in `Checks/` (one per rule, listed in
/// `CheckTable`) turn moments into findings.
///
/// What is exact depends on the kernel generation (see README "Balances"):
/// - I1 outstanding extents (`btrfs_inode_mod_outstanding_extents`, 4.15+): exact per inode.
/// - I2 delalloc metadata: exact on 4.x (the seed-bug era), and on 5.x/6.x where the work-item
///   events bound ordered-extent completion (MetadataBalance.swift); bounded otherwise.
/// - I3 ordered extents: exact once splits are modelled (removes match by range).
/// - I5 bytes_may_use: absolute from `update_bytes_may_use` `old=`, chained (ValueChain.swift).
/// - I6 per-I/O data reservation: exact within one I/O window.
public struct Ledger {
    let fileNames: [String]
    var inodes: [InodeKey: InodeState] = [:]
    var metadata: [FilesystemInode: MetadataBalance] = [:]
    /// Per-task progress through metadata reservations and work items (I2, MetadataBalance.swift).
    var taskMetadata: [TaskKey: TaskMetadataState] = [:]
    var sawWorkItems = false
    /// Running values the kernel prints (`old=`, `cur_reserved=`), ValueChain.swift.
    var valueChains: [ValueChainKey: ValueChain] = [:]
    /// The latest evictions (between `evictionLimit` and twice that many), with each inode's
    /// direct-I/O history: kernel warnings follow the eviction they are about.
    public internal(set) var evictions: [InodeEviction] = []
    static let evictionLimit = 20_000
    /// Data reservations of a task waiting for their `space_info` event before they count for its I/O.
    var pendingDataReserve: [TaskKey: (bytes: Int64, ref: EventRef)] = [:]
    /// The latest data reservations counted for I/O windows, in case one was a ticket granted to
    /// another task (Ledger+Windows.swift).
    var recentWindowReserves: [WindowReserve] = []
    var ios: [Int: IOState] = [:]
    var windowByPid: [TaskKey: Int] = [:]
    var probeDepth: [TaskKey: Int] = [:]
    var nextIO = 0
    var mayUse: [SpaceKey: SpaceValue] = [:]
    var findings: [Finding] = []
    /// Findings listed per rule; the rest are counted (UnlistedFindings).
    static let listedFindingsPerRule = 1000
    var listedByRule: [Rule: Int] = [:]
    var unlisted: [UnlistedKey: Int] = [:]
    /// Lines of the unlisted errors, so a later loss of events can lower them like listed ones.
    var unlistedErrorLines: [Rule: [Int]] = [:]
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
    /// `lastLineByCPU` for CPUs below 1024, without hashing (written for every event).
    var lastLineByLowCPU: [Int] = []

    /// Inodes whose btrfs_inode_evict was seen, with that event, until their task moves on.
    var evicting: [InodeKey: EventRef] = [:] {
        didSet { evictingTasks = Array(Set(evicting.values.map(\.pid))) }
    }
    /// The tasks of `evicting`'s events: an inode stays there until its task's next event, and
    /// nearly every event is another task's (evictions are rare; one left by a task that does
    /// nothing after it stays for the rest of the trace).
    private(set) var evictingTasks: [Int32] = []

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
        // Most events find nothing due: look before building the list.
        guard evictingTasks.contains(pid), evicting.contains(where: { $0.value.pid == pid && $0.key.inode != inode }) else { return }
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

    /// Balances over time for the HTML and Perfetto reports (nil: not recorded).
    let timeline: TimelineRecorder?

    public init(fileNames: [String], recordTimeline: Bool = false) {
        self.fileNames = fileNames
        timeline = recordTimeline ? TimelineRecorder(fileNames: fileNames) : nil
    }

    /// What was recorded for the HTML and Perfetto reports (empty unless asked for).
    public var recordedTimeline: Timeline { timeline?.timeline ?? Timeline() }

    var lossSeen: Bool { !lossRefs.isEmpty }
    var isLegacy: Bool { legacyEvidence && !modernEvidence }

    /// One `update_bytes_may_use` on its space's running value, in place.
    private static func updateMayUse(_ value: inout SpaceValue, _ u: SpaceInfoUpdate, _ ref: EventRef) {
        if let old = u.old, old <= UInt64(Int64.max) { value.value = Int64(old) &+ u.diff } else if let v = value.value { value.value = v &+ u.diff }
        value.last = ref
        value.chain.append(ref)
        if value.value == 0 { value.chain.reset() }
    }

    private mutating func noteLine(_ line: Int, cpu: Int32) {
        if cpu < 1024 {
            let i = Int(cpu)
            if i >= lastLineByLowCPU.count { lastLineByLowCPU += Array(repeating: -1, count: i + 1 - lastLineByLowCPU.count) }
            lastLineByLowCPU[i] = line
        } else {
            lastLineByCPU[cpu] = line
        }
    }

    private func lastLine(cpu: Int32) -> Int? {
        if cpu >= 0 && cpu < 1024 {
            let i = Int(cpu)
            return i < lastLineByLowCPU.count && lastLineByLowCPU[i] >= 0 ? lastLineByLowCPU[i] : nil
        }
        return lastLineByCPU[cpu]
    }

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
        if case .dataLoss = event.payload {} else if event.cpu >= 0 { noteLine(event.origin.line, cpu: event.cpu) }
        switch event.payload {
        case .dataLoss(let loss):
            // The marker is printed before the CPU's next event; what was lost happened after the
            // CPU's previous event, so findings made since then rest on an incomplete trace.
            let since = loss.kind == .lost ? (lastLine(cpu: loss.cpu) ?? 0) : 0
            downgradeFindings(madeAfter: since)
            timeline?.lost(loss, since: timeline?.cpuTime[loss.cpu], at: ref, filesystem: fs)
            lossRefs.append(ref)
            lostEvents &+= loss.count
            // In place by index (no copy of the states, nor of the dictionaries for an iterator).
            var i = ios.startIndex
            while i != ios.endIndex {
                ios.values[i].lossDuring = true
                i = ios.index(after: i)
            }
            var k = inodes.startIndex
            while k != inodes.endIndex {
                inodes.values[k].sawDataLossSinceStart = true
                k = inodes.index(after: k)
            }
        case .inode(let i):
            if event.filesystem == nil { legacyEvidence = true }
            let key = InodeKey(filesystem: fs, root: i.root, inode: i.inode)
            switch i.kind {
            case .new:
                // A new inode: the filesystem is mounted (again) after any earlier unmount.
                unmounted.remove(FilesystemIDBox(id: fs))
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
            if !unmounted.isEmpty && r.kind == .delalloc && r.isReserve && event.comm != "umount" { unmounted.remove(FilesystemIDBox(id: fs)) }
            spaceReservation(fs, r, ref)
        case .spaceInfoUpdate(let u):
            modernEvidence = true
            sawMayUseUpdates = true
            guard u.counter == .bytesMayUse else { break }
            let key = SpaceKey(filesystem: fs, space: u.space)
            Self.updateMayUse(&mayUse[key, default: SpaceValue(value: nil, last: ref)], u, ref)
            checkChain(SpaceKey(filesystem: fs, space: u.space), old: u.old, diff: u.diff, ref)
            if u.space == .metadata { metadataMayUse(u.diff, ref) }
            if u.space == .data {
                pendingDataReserve[TaskKey(event.pid)] = nil
                if let id = window(event.pid, inode: nil), let i = ios.index(forKey: id), ioAt(i, { $0.countsReservations }) {
                    if u.diff > 0 {
                        pendingDataReserve[TaskKey(event.pid)] = (u.diff, ref)
                    } else {
                        ios.values[i].data &+= u.diff
                        ios.values[i].chain.append(ref)
                    }
                }
            }
        case .directIOBegin(let b):
            modernEvidence = true
            if !unmounted.isEmpty { unmounted.remove(FilesystemIDBox(id: fs)) }
            // A begin without completion (a read at EOF returns before iomap_dio_complete) ends at
            // the task's next direct I/O, whatever the inode.
            if let open = windowByPid[TaskKey(event.pid)], withIO(open, { $0.source == .iomap }) == true {
                endWindow(pid: event.pid, inodeNumber: nil, result: nil, ref)
            }
            openWindow(event, inodeNumber: b.inode, offset: b.offset, length: b.length, source: .iomap, direct: true)
            if let id = windowByPid[TaskKey(event.pid)], b.isWrite { withIO(id) { $0.direction = .write } }
        case .iomapIteration(let it):
            if it.isDirect, let id = windowByPid[TaskKey(event.pid)] {
                withIO(id) { io in
                    if io.inodeNumber == nil || io.inodeNumber == it.inode, io.direction == .unknown { io.direction = it.isWrite ? .write : .read }
                }
            }
        case .work(let w):
            work(w, ref)
        case .reservationTicket(let t):
            ticketGranted(t, ref)
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
        case .transactionCommit:
            transactionCommitted(ref)
        case .qgroupMeta, .orderedRangeFinished, .extentReserved, .reservedExtentAllocated, .reservedExtentFreed:
            break
        }
        if let timeline { recordSample(event, fs, timeline) }
    }

    // MARK: findings

    public mutating func finish() -> (findings: [Finding], unlisted: [UnlistedFindings], inodes: [InodeBalance], generation: String) {
        flushValueChains()
        for key in evicting.keys.sorted(by: Self.order) {
            if let ref = evicting.removeValue(forKey: key) { evict(key, ref) }
        }
        for id in ios.keys where ios[id]?.source == .taskWindow { ios[id]?.ended = true }
        for id in ios.keys.sorted() { evaluateIO(id) }
        for key in inodes.keys.sorted(by: Self.order) {
            guard let state = inodes[key] else { continue }
            let meta = metadata[FilesystemInode(filesystem: key.filesystem, inode: key.inode)]
            emit(.traceEndedWithInode(state, metadata: meta))
            balances.append(balance(state, meta: meta, evicted: false))
        }
        for key in mayUse.keys.sorted(by: { a, b in
            let fa = a.filesystem ?? FilesystemID(high: 0, low: 0), fb = b.filesystem ?? FilesystemID(high: 0, low: 0)
            return fa != fb ? fa < fb : a.space < b.space
        }) {
            guard let v = mayUse[key] else { continue }
            emit(.traceEndedWithSpace(key, v, unmounted: unmounted.contains(FilesystemIDBox(id: key.filesystem))))
        }
        emit(.traceEndedWithLoss(markers: lossRefs, lostEvents: lostEvents, filesystem: lastFilesystem))
        let generation = isLegacy ? "4.x (ordered-extent events without fsid: delalloc balance exact)"
            : modernEvidence ? (sawWorkItems ? "4.15+ (outstanding extents exact, delalloc exact: work-item events bound ordered-extent completion)"
                                : "4.15+ (outstanding extents exact, delalloc bounded: no btrfs_work_sched events)")
            : "undetermined (no generation-specific events)"
        let counted = unlisted.sorted { ($0.key.rule.id, $0.key.severity.rawValue) < ($1.key.rule.id, $1.key.severity.rawValue) }
            .map { UnlistedFindings(rule: $0.key.rule, severity: $0.key.severity, count: $0.value) }
        return (findings, counted, balances, generation)
    }

    static func order(_ a: InodeKey, _ b: InodeKey) -> Bool {
        let fa = a.filesystem ?? FilesystemID(high: 0, low: 0), fb = b.filesystem ?? FilesystemID(high: 0, low: 0)
        return (fa, a.root, a.inode) < (fb, b.root, b.inode)
    }
}
