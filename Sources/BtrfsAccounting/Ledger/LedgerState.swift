import TraceEvents

/// An inode is named by filesystem, subvolume root and inode number (numbers repeat across roots).
struct InodeKey: Hashable, Sendable {
    var filesystem: FilesystemID?
    var root: UInt64
    var inode: UInt64
}

/// `delalloc` and `delayed_*` reservations carry the inode number but not the root.
struct FilesystemInode: Hashable, Sendable {
    var filesystem: FilesystemID?
    var inode: UInt64
}

/// One open ordered extent.
struct OrderedExtentState: Sendable {
    var fileOffset: UInt64
    var length: UInt64
    /// Bytes of the range not yet removed (a split extent is removed piece by piece).
    var remaining: UInt64
    var diskStart: UInt64
    var flags: OrderedExtentFlags
    var added: EventRef
    var io: Int?
    var chain: EventChain
}

/// A signed balance that may have started before the trace did.
struct Balance: Sendable {
    var kind: BalanceKind
    var sum: Int64 = 0
    var minimum: Int64 = 0
    var chain = EventChain()
    var touched = false

    init(_ kind: BalanceKind) { self.kind = kind }

    mutating func add(_ delta: Int64, _ ref: EventRef, cause: BalanceStep.Cause = .event) {
        touched = true
        sum &+= delta
        if sum < minimum { minimum = sum }
        chain.append(ref.with(BalanceStep(kind: kind, delta: delta, cause: cause)))
        if sum == 0 { chain.reset() }
    }

    /// Lowest amount still held given that the starting value was unknown but not negative
    /// (or exactly zero when `baselineKnown`).
    func held(baselineKnown: Bool) -> Int64 { baselineKnown ? sum : sum &- min(minimum, 0) }
}

/// Per-inode ledger (I1 outstanding extents, I3 ordered extents, I7 qgroup data).
struct InodeState: Sendable {
    var key: InodeKey
    var outstanding = Balance(.outstandingExtents)
    var qgroupData = Balance(.qgroupData)
    var openOrderedExtents: [OrderedExtentState] = []
    var orderedExtentsAdded = 0
    /// Created inside the trace (btrfs_inode_new) with no data loss before: the baseline is zero.
    var baselineKnown = false
    /// The worker's mod waiting for the ordered-extent remove that follows it (pid -> mod, event).
    var pendingRemoveMods: [TaskKey: (Int64, EventRef)] = [:]
    /// Last value the kernel printed (`outstanding=`, 6.12+) to detect missed events.
    var lastReportedOutstanding: UInt64?
    var sawDataLossSinceStart = false
    /// The inode's direct-I/O writes (at most `historyLimit`, failing ones kept first), as the
    /// ledger's compact references: made into `InodeIORecord`s (strings, file names) only when
    /// the inode is evicted, not for each of the many writes that drop out of the history.
    var history: [IOHistoryEntry] = []
    static let historyLimit = 6

    init(key: InodeKey) { self.key = key }

    mutating func remember(_ record: IOHistoryEntry) {
        if history.count >= Self.historyLimit {
            guard let drop = history.firstIndex(where: { !$0.failed }) ?? (record.failed ? history.indices.first : nil) else { return }
            history.remove(at: drop)
        }
        history.append(record)
    }
}

/// One finished direct-I/O write in its inode's history (`InodeIORecord` once reported).
struct IOHistoryEntry: Sendable {
    var pid: Int32
    var comm: InternedString
    var offset: UInt64?
    var length: UInt64?
    var source: WindowSource
    var result: Int64?
    var begin: EventRef
    var end: EventRef?

    init(_ io: IOState) {
        pid = io.pid
        comm = io.comm
        offset = io.offset
        length = io.length
        source = io.source
        result = io.result
        begin = io.begin
        end = io.end
    }

    /// As `InodeIORecord.failed`: a negative result (errno) or fewer bytes than asked.
    var failed: Bool {
        guard let r = result else { return false }
        return r < 0 || (length.map { r >= 0 && UInt64(r) < $0 } ?? false)
    }

    var description: IODescription {
        IODescription(task: comm.string, pid: pid, offset: offset, length: length, source: source.description, result: result)
    }
}

/// One direct-I/O write: task, inode, range, begin..end.
struct IOState: Sendable {
    var id: Int
    var pid: Int32
    var comm: InternedString
    var inode: InodeKey?
    /// Inode number known from the window source before the btrfs key is (iomap/kprobe give only the number).
    var inodeNumber: UInt64?
    var offset: UInt64?
    var length: UInt64?
    var source: WindowSource
    var begin: EventRef
    /// iomap windows learn their direction from `iomap_iter` (`WRITE|DIRECT` vs `DIRECT`): 6.18
    /// prints `flags DIRECT` on `iomap_dio_rw_begin` for sync writes and reads alike.
    var direction: IODirection = .unknown
    var end: EventRef?
    var result: Int64?
    var ended = false
    var outstanding: Int64 = 0
    var data: Int64 = 0
    var metadata: Int64 = 0
    var openOrderedExtents = 0
    var createdOrderedExtents = 0
    var isDirect: Bool
    var chain = EventChain()
    var lossDuring = false
    /// Page-cache writeback ran inside the window: its outstanding-extent changes are not this
    /// I/O's, so only the data reservation is checked per I/O (the inode balance stays exact).
    var sawWriteback = false
}

/// What opened an I/O window.
enum WindowSource: Sendable, Equatable, CustomStringConvertible {
    /// `iomap_dio_rw_begin` .. `iomap_dio_complete` / `iomap_dio_rw_queued` (6.5+).
    case iomap
    /// A kprobe pair on a direct-I/O write function (`btrfs_dio_write`, 4.x `btrfs_direct_IO`).
    case probe(String)
    /// 4.x: from a task's DATA reservation to its next one (no I/O events on those kernels).
    case taskWindow

    var description: String {
        switch self {
        case .iomap: "iomap_dio_rw_begin"
        case .probe(let function): "kprobe:" + function
        case .taskWindow: "task-window"
        }
    }
}

enum IODirection: Sendable, Equatable { case unknown, read, write }

extension IOState {
    var description: IODescription { IOHistoryEntry(self).description }

    /// Reads reserve nothing: only writes (known as such) are checked and collect reservations.
    var countsReservations: Bool {
        switch source {
        case .iomap: direction == .write
        case .probe, .taskWindow: direction != .read
        }
    }
}
