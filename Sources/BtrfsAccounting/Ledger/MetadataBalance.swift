import TraceEvents

/// I2: an inode's delalloc metadata reservation (`inode->block_rsv.reserved` on 4.15+ kernels).
///
/// `btrfs_space_reservation delalloc: INO reserve|release N` records what the inode's block
/// reservation takes from and gives back to the space_info. Two more ways out of it are untraced
/// as such, but visible in the trace (measured on 6.1 and 6.18 captures, see README "Balances"):
///
/// - **migration** to the delayed inode: while an ordered extent of the inode is finished
///   (`btrfs_finish_ordered_io`, `trans->block_rsv = &inode->block_rsv`), updating the inode item
///   moves one item's worth into the delayed-inode reservation: `delayed_inode: INO reserve N`
///   with no `update_bytes_may_use METADATA +N` of its own (`btrfs_delayed_inode_reserve_metadata`
///   → `btrfs_block_rsv_migrate`);
/// - **tree blocks** allocated in that window for the file tree or the csum tree come out of the
///   same reservation (`btrfs_use_block_rsv`): `space_info: 4 reserve 16384` not preceded by a
///   may_use increase of the task, followed by `update_bytes_may_use METADATA -16384`
///   (`btrfs_add_reserved_bytes` moving bytes from may_use to reserved).
///
/// The window is one btrfs work item: `btrfs_work_sched` .. `btrfs_all_work_done` of the worker
/// (finish_ordered_fn, and compress_file_range whose inline extents use the same reservation).
/// Consumption seen in a window is charged to the inode whose ordered extent the window removes,
/// or whose delalloc reservation it releases. Writeback that creates an inline extent outside a
/// work item (`cow_file_range_inline`, by the flusher or a syncing task) does the same: there the
/// migration to the inode's delayed inode names the inode before its `delalloc ... release`
/// (measured on the 6.1 lab's inline-file step: 147456 = 131072 + 16384). Without work events
/// the window is unknown and the balance stays a bound (no error).
struct MetadataBalance: Sendable {
    /// reserved − released − migrated − consumed.
    var balance = Balance(.metadataReserved)
    var reserved: Int64 = 0
    var released: Int64 = 0
    var migrated: Int64 = 0
    var consumed: Int64 = 0
    /// Tasks that reserved since the balance was last zero, in order of first reservation.
    var reservers: [TaskName] = []

    mutating func reserve(_ bytes: Int64, _ ref: EventRef) {
        if balance.sum == 0 { reservers.removeAll() }
        reserved &+= bytes
        balance.add(bytes, ref)
        let task = TaskName(comm: ref.comm, pid: ref.pid)
        if !reservers.contains(task) && reservers.count < 8 { reservers.append(task) }
    }

    mutating func release(_ bytes: Int64, _ ref: EventRef) {
        released &+= bytes
        balance.add(-bytes, ref)
    }

    mutating func consume(_ c: MetadataConsumption) {
        switch c.kind {
        case .migrated: migrated &+= c.bytes
        case .treeBlock: consumed &+= c.bytes
        }
        balance.add(-c.bytes, c.ref, cause: c.kind == .migrated ? .migratedToDelayedInode : .treeBlocks)
    }

    /// More left than came in, by more than the tree blocks charged could explain. Tree blocks
    /// are an upper bound: btrfs_use_block_rsv falls back to the global reservation when the
    /// inode's cannot pay, and on a real 6.18 run with qgroups (xfstests btrfs/028) finish windows
    /// allocated up to 2 blocks per window more than the inode's reservation paid for.
    var unexplainedDeficit: Int64 {
        guard balance.sum < 0 else { return 0 }
        return max(0, -balance.sum - consumed)
    }
}

struct TaskName: Sendable, Hashable, CustomStringConvertible {
    var comm: InternedString
    var pid: Int32
    var description: String { "\(comm)-\(pid)" }
}

/// Bytes that left an inode's block reservation without a `delalloc ... release`.
struct MetadataConsumption: Sendable {
    enum Kind: Sendable { case migrated, treeBlock }
    var kind: Kind
    var bytes: Int64
    var ref: EventRef
    /// The inode a migration names (`delayed_inode: INO reserve`).
    var inode: UInt64? = nil
}

/// Where one task is in a metadata reservation: `update_bytes_may_use METADATA +N`, then
/// `space_info: 4 reserve N`, then the typed event (`delalloc`, `delayed_inode`, ...). A
/// `space_info: 4 reserve N` with no may_use increase before it is either a tree block taken from a
/// block reservation (may_use −N follows) or a reservation granted through a ticket (the typed
/// event follows).
enum MetadataStep: Sendable {
    case idle
    case mayUseRaised(UInt64)
    case ownSpaceInfo(UInt64)
    case bareSpaceInfo(UInt64, EventRef)
    /// A reservation made just for one tree block and spent on it at once: btrfs_use_block_rsv's
    /// fallback when no block reservation can pay (log tree blocks in fsync). Not an inode's.
    case spentAtOnce(UInt64)
}

struct TaskMetadataState: Sendable {
    var step: MetadataStep = .idle
    /// Inside a btrfs work item (`btrfs_work_sched` .. `btrfs_all_work_done`).
    var inWork = false
    /// Bytes of transaction reservation held (`transaction: TRANSID reserve` minus its releases,
    /// which may come in parts): while any is held, tree blocks and migrations come from the
    /// transaction's block reservation, not an inode's.
    var transactionHeld: Int64 = 0
    var transactionOpen: Bool { transactionHeld > 0 }
    /// A reservation of the task's own with no typed event (the temporary block reservation of
    /// btrfs_evict_inode or btrfs_truncate) was followed by tree blocks: they come out of it until
    /// the task's next typed reservation, ordered extent or commit.
    var temporaryOpen = false
    var pending: [MetadataConsumption] = []
    /// Outside work items nothing may ever charge a task's consumption (a kthread allocating tree
    /// blocks): only the latest are kept.
    static let pendingLimit = 256

    mutating func add(_ c: MetadataConsumption) {
        if !inWork && pending.count >= Self.pendingLimit { pending.removeFirst(pending.count - Self.pendingLimit + 1) }
        pending.append(c)
    }

    /// Whether bytes leaving a block reservation now may be an inode's: in a work item, or in
    /// writeback outside one (inline extents: `cow_file_range_inline` sets the transaction's block
    /// reservation to the inode's) when no transaction reservation of the task's own is open.
    var tracksConsumption: Bool { inWork || (!transactionOpen && !temporaryOpen) }
}

extension Ledger {
    /// True once the trace showed the work-item events that bound finish windows.
    var metadataExact: Bool { isLegacy || sawWorkItems }

    /// `body` on the task's state in place, created when new (copying it out and writing it back
    /// copied its pending list and hashed the pid twice more).
    @inline(__always)
    mutating func modifyTask<T>(_ pid: Int32, _ body: (inout TaskMetadataState) -> T) -> T {
        body(&taskMetadata[TaskKey(pid), default: TaskMetadataState()])
    }

    /// As `modifyTask`; nothing (and nothing created) when the task has no state.
    @inline(__always)
    @discardableResult
    mutating func modifyExistingTask<T>(_ pid: Int32, _ body: (inout TaskMetadataState) -> T) -> T? {
        guard let i = taskMetadata.index(forKey: TaskKey(pid)) else { return nil }
        return body(&taskMetadata.values[i])
    }

    mutating func work(_ w: WorkItem, _ ref: EventRef) {
        sawWorkItems = true
        modifyTask(ref.pid) { t in
            t.pending.removeAll()
            t.inWork = w.kind == .scheduled
            t.step = .idle
        }
    }

    /// A new ordered extent outside a work item ends one writeback step of the task: what it took
    /// before belonged to that step.
    mutating func writebackStep(_ ref: EventRef) {
        modifyExistingTask(ref.pid) { t in
            guard !t.inWork else { return }
            t.pending.removeAll()
            t.temporaryOpen = false
        }
    }

    /// A transaction commit ends whatever the committing task took from block reservations.
    mutating func transactionCommitted(_ ref: EventRef) {
        modifyExistingTask(ref.pid) { t in
            t.pending.removeAll()
            t.temporaryOpen = false
        }
    }

    /// `update_bytes_may_use METADATA`.
    mutating func metadataMayUse(_ diff: Int64, _ ref: EventRef) {
        modifyTask(ref.pid) { t in
            if diff > 0 {
                t.step = .mayUseRaised(UInt64(diff))
            } else if diff < 0 {
                if case .bareSpaceInfo(let n, let reserveRef) = t.step, n == diff.magnitude, t.tracksConsumption {
                    t.add(MetadataConsumption(kind: .treeBlock, bytes: Int64(clamping: n), ref: reserveRef))
                }
                t.step = .idle
            }
        }
    }

    /// `btrfs_space_reservation space_info: 4 reserve N`.
    mutating func metadataSpaceInfoReserve(_ bytes: UInt64, _ ref: EventRef) {
        modifyTask(ref.pid) { t in
            switch t.step {
            case .mayUseRaised(let n) where n == bytes: t.step = .ownSpaceInfo(n)
            case .ownSpaceInfo(let n) where n == bytes: t.step = .spentAtOnce(n)
            case .ownSpaceInfo:
                t.temporaryOpen = true
                t.step = .bareSpaceInfo(bytes, ref)
            default: t.step = .bareSpaceInfo(bytes, ref)
            }
        }
    }

    /// A typed reservation (`delayed_inode`, `delayed_item`, `transaction`, ...) of the task.
    mutating func metadataTypedReservation(_ r: SpaceReservation, _ ref: EventRef) {
        modifyTask(ref.pid) { t in
            var own = false
            switch t.step {
            case .ownSpaceInfo(let n), .bareSpaceInfo(let n, _): own = n == r.bytes
            case .idle, .mayUseRaised, .spentAtOnce: own = false
            }
            t.step = .idle
            t.temporaryOpen = false
            if r.kind == .transaction {
                t.transactionHeld = max(0, t.transactionHeld &+ (r.isReserve ? Int64(clamping: r.bytes) : -Int64(clamping: r.bytes)))
                if r.isReserve { t.pending.removeAll() }
            }
            if r.kind == .delayedInode && r.isReserve && !own && t.tracksConsumption {
                t.add(MetadataConsumption(kind: .migrated, bytes: Int64(clamping: r.bytes), ref: ref, inode: r.value))
            }
        }
    }

    /// Charges what the task's work item took so far to `inode`. Outside a work item (writeback
    /// making an inline extent) the tree blocks since the task's last writeback step, and a
    /// migration only when it names this inode.
    private static func consume(_ pending: [MetadataConsumption], into balance: inout MetadataBalance) {
        for c in pending { balance.consume(c) }
    }

    mutating func chargeMetadataConsumption(pid: Int32, _ key: FilesystemInode) {
        // The task's pending list is taken out of its state in place, and the inode's balance
        // charged in place (no copies of either state, no second lookups).
        var pending: [MetadataConsumption] = []
        guard let inWork = modifyExistingTask(pid, { t -> Bool in
            swap(&pending, &t.pending)
            return t.inWork
        }), !pending.isEmpty else { return }
        if !inWork { pending.removeAll { $0.kind == .migrated && $0.inode != key.inode } }
        Self.consume(pending, into: &metadata[key, default: MetadataBalance()])
    }
}
