/// A btrfs filesystem as traces name it: the `%pU` fsid UUID that prefixes btrfs events.
public struct FilesystemID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }

    /// `0fcf8427-9ad4-4ce5-b75e-e7710cafd5f1`
    public var description: String {
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        let h = hex(high, 16), l = hex(low, 16)
        let hs = Array(h), ls = Array(l)
        return String(hs[0..<8]) + "-" + String(hs[8..<12]) + "-" + String(hs[12..<16]) + "-" + String(ls[0..<4]) + "-" + String(ls[4..<16])
    }

    /// Parses the canonical 36-character form.
    public init?(_ text: String) {
        var digits: [UInt8] = []
        for c in text.utf8 where c != 0x2D { digits.append(c) }
        guard digits.count == 32 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for (i, c) in digits.enumerated() {
            guard let v = Bytes.hexValue(c) else { return nil }
            if i < 16 { h = (h << 4) | v } else { l = (l << 4) | v }
        }
        high = h
        low = l
    }
}

/// Ordered-extent flag bits, normalised to one bit set whatever the kernel's enum order.
public struct OrderedExtentFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let regular = Self(rawValue: 1 << 0)
    public static let nocow = Self(rawValue: 1 << 1)
    public static let prealloc = Self(rawValue: 1 << 2)
    public static let compressed = Self(rawValue: 1 << 3)
    public static let direct = Self(rawValue: 1 << 4)
    public static let ioDone = Self(rawValue: 1 << 5)
    public static let complete = Self(rawValue: 1 << 6)
    public static let ioError = Self(rawValue: 1 << 7)
    public static let truncated = Self(rawValue: 1 << 8)
    public static let logged = Self(rawValue: 1 << 9)
    public static let loggedChecksum = Self(rawValue: 1 << 10)
    public static let pending = Self(rawValue: 1 << 11)
    public static let encoded = Self(rawValue: 1 << 12)
    public static let updatedISize = Self(rawValue: 1 << 13)

    static let names: [(String, OrderedExtentFlags)] = staticNames.map { ($0.0.description, $0.1) }

    /// Bit order of `enum btrfs_ordered_extent_flag` since the REGULAR flag exists (5.x .. 6.x):
    /// REGULAR, NOCOW, PREALLOC, COMPRESSED, DIRECT, IO_DONE, COMPLETE, IOERR, TRUNCATED, LOGGED,
    /// LOGGED_CSUM, PENDING, ENCODED.
    static let modernOrder: [OrderedExtentFlags] = [.regular, .nocow, .prealloc, .compressed, .direct, .ioDone,
                                                     .complete, .ioError, .truncated, .logged, .loggedChecksum, .pending, .encoded]
    /// Bit order of 4.x kernels: IO_DONE, COMPLETE, NOCOW, COMPRESSED, PREALLOC, DIRECT, IOERR,
    /// UPDATED_ISIZE, LOGGED_CSUM, TRUNCATED.
    static let legacyOrder: [OrderedExtentFlags] = [.ioDone, .complete, .nocow, .compressed, .prealloc, .direct,
                                                     .ioError, .updatedISize, .loggedChecksum, .truncated]

    /// Decodes the number trace-cmd and perf print (`flags=0x12`) for the given enum order.
    public static func fromKernelBits(_ bits: UInt64, modern: Bool) -> (OrderedExtentFlags, unknownBits: UInt64) {
        // The modern order is this type's own bit order (a test holds them equal).
        if modern {
            let known = (UInt64(1) << UInt64(modernOrder.count)) &- 1
            return (OrderedExtentFlags(rawValue: UInt32(truncatingIfNeeded: bits & known)), bits & ~known)
        }
        var result: OrderedExtentFlags = []
        var unknown: UInt64 = 0
        var rest = bits
        while rest != 0 {
            let bit = rest.trailingZeroBitCount
            rest &= rest &- 1
            if bit < legacyOrder.count { result.insert(legacyOrder[bit]) } else { unknown |= 1 << UInt64(bit) }
        }
        return (result, unknown)
    }

    public var names: [String] { Self.names.filter { contains($0.1) }.map(\.0) }
    /// `names` as literals, for comparing printed bytes without a `String`.
    static let staticNames: [(StaticString, OrderedExtentFlags)] = [
        ("REGULAR", .regular), ("NOCOW", .nocow), ("PREALLOC", .prealloc), ("COMPRESSED", .compressed),
        ("DIRECT", .direct), ("IO_DONE", .ioDone), ("COMPLETE", .complete), ("IOERR", .ioError),
        ("TRUNCATED", .truncated), ("LOGGED", .logged), ("LOGGED_CSUM", .loggedChecksum), ("PENDING", .pending),
        ("ENCODED", .encoded), ("UPDATED_ISIZE", .updatedISize),
    ]
}

/// Which block-group kind a space_info event concerns.
public enum SpaceKind: Sendable, Hashable, Comparable {
    case data, metadata, system, other(UInt64)

    init(flags: UInt64) {
        if flags & 1 != 0 { self = .data } else if flags & 4 != 0 { self = .metadata } else if flags & 2 != 0 { self = .system } else { self = .other(flags) }
    }

    public var name: String {
        switch self {
        case .data: "DATA"
        case .metadata: "METADATA"
        case .system: "SYSTEM"
        case .other(let f): "flags=\(f)"
        }
    }
}

/// `btrfs_space_reservation`: `<fsid>: <type>: <val> reserve|release <bytes>`.
public struct SpaceReservation: Sendable, Equatable {
    public enum Kind: Sendable, Hashable {
        /// `space_info` (val = block-group flags): bytes_may_use, and in 6.x also bytes_reserved.
        case spaceInfo(SpaceKind)
        /// `space_info:enospc`: a reservation that failed.
        case spaceInfoENOSPC(SpaceKind)
        /// `delalloc` (val = inode number): the inode's metadata reservation.
        case delalloc
        case transaction, delayedInode, delayedItem, delayedRefsReserve, localDelayedRefsReserve, orphan
        case pinned, zoneUnusable, globalReserve, chunk
        case other(InternedString)
    }
    public var kind: Kind
    public var value: UInt64
    public var isReserve: Bool
    public var bytes: UInt64

    public init(kind: Kind, value: UInt64, isReserve: Bool, bytes: UInt64) {
        self.kind = kind
        self.value = value
        self.isReserve = isReserve
        self.bytes = bytes
    }
}

/// `update_bytes_may_use` / `update_bytes_pinned` / `update_bytes_zone_unusable`: `type=%s old=%llu diff=%lld`.
public struct SpaceInfoUpdate: Sendable, Equatable {
    public enum Counter: Sendable, Hashable { case bytesMayUse, bytesPinned, zoneUnusable }
    public var counter: Counter
    public var space: SpaceKind
    public var old: UInt64?
    public var diff: Int64

    public init(counter: Counter, space: SpaceKind, old: UInt64?, diff: Int64) {
        self.counter = counter
        self.space = space
        self.old = old
        self.diff = diff
    }
}

/// `btrfs_inode_mod_outstanding_extents`: `root=%llu(%s) ino=%llu mod=%d [outstanding=%u]`.
public struct OutstandingExtentsChange: Sendable, Equatable {
    public var root: UInt64
    public var inode: UInt64
    public var mod: Int64
    /// 6.12+: the value after the change.
    public var outstanding: UInt64?

    public init(root: UInt64, inode: UInt64, mod: Int64, outstanding: UInt64?) {
        self.root = root
        self.inode = inode
        self.mod = mod
        self.outstanding = outstanding
    }
}

/// The ordered-extent tracepoints of class `btrfs__ordered_extent`.
public struct OrderedExtentEvent: Sendable, Equatable {
    public enum Step: String, Sendable, Hashable {
        case add, remove, start, put, lookup, lookupRange = "lookup_range", lookupFirstRange = "lookup_first_range"
        case lookupForLogging = "lookup_for_logging", lookupFirst = "lookup_first", split
        case decTestPending = "dec_test_pending", markFinished = "mark_finished"
    }
    public var step: Step
    public var root: UInt64
    public var inode: UInt64
    public var fileOffset: UInt64
    public var diskStart: UInt64
    public var length: UInt64
    public var diskLength: UInt64
    /// nil when the kernel does not print it or prints (u64)-1 ("not truncated").
    public var truncatedLength: UInt64?
    public var bytesLeft: UInt64
    public var flags: OrderedExtentFlags
    public var refs: Int64

    public init(step: Step, root: UInt64, inode: UInt64, fileOffset: UInt64, diskStart: UInt64, length: UInt64, diskLength: UInt64, truncatedLength: UInt64?, bytesLeft: UInt64, flags: OrderedExtentFlags, refs: Int64) {
        self.step = step
        self.root = root
        self.inode = inode
        self.fileOffset = fileOffset
        self.diskStart = diskStart
        self.length = length
        self.diskLength = diskLength
        self.truncatedLength = truncatedLength
        self.bytesLeft = bytesLeft
        self.flags = flags
        self.refs = refs
    }
}

/// `btrfs_finish_ordered_extent` (6.5+): `root=%llu(%s) ino=%llu start=%llu len=%llu uptodate=%d`.
public struct OrderedRangeFinished: Sendable, Equatable {
    public var root: UInt64
    public var inode: UInt64
    public var fileOffset: UInt64
    public var length: UInt64
    public var uptodate: Bool

    public init(root: UInt64, inode: UInt64, fileOffset: UInt64, length: UInt64, uptodate: Bool) {
        self.root = root
        self.inode = inode
        self.fileOffset = fileOffset
        self.length = length
        self.uptodate = uptodate
    }
}

/// A disk extent `[start, start + length)`.
public struct DiskExtent: Sendable, Hashable {
    public var start: UInt64
    public var length: UInt64
    public var space: SpaceKind?

    public init(start: UInt64, length: UInt64, space: SpaceKind?) {
        self.start = start
        self.length = length
        self.space = space
    }
}

/// `btrfs_qgroup_reserve_data` / `btrfs_qgroup_release_data`.
public struct QgroupDataEvent: Sendable, Equatable {
    public enum Operation: String, Sendable { case reserve, release, free }
    public var operation: Operation
    public var root: UInt64
    public var inode: UInt64
    public var start: UInt64
    public var length: UInt64
    public var reserved: UInt64

    public init(operation: Operation, root: UInt64, inode: UInt64, start: UInt64, length: UInt64, reserved: UInt64) {
        self.operation = operation
        self.root = root
        self.inode = inode
        self.start = start
        self.length = length
        self.reserved = reserved
    }
}

/// `qgroup_update_reserve`: `qgid=%llu type=%s cur_reserved=%llu diff=%lld`.
public struct QgroupReserveUpdate: Sendable, Equatable {
    public var qgroup: UInt64
    public var type: InternedString
    public var currentReserved: UInt64
    public var diff: Int64

    public init(qgroup: UInt64, type: InternedString, currentReserved: UInt64, diff: Int64) {
        self.qgroup = qgroup
        self.type = type
        self.currentReserved = currentReserved
        self.diff = diff
    }
}

/// `qgroup_meta_reserve`, `qgroup_meta_convert`, `qgroup_meta_free_all_pertrans`.
public struct QgroupMetaEvent: Sendable, Equatable {
    public enum Kind: Sendable { case reserve, convert, freeAllPertrans }
    public var kind: Kind
    public var root: UInt64
    public var type: InternedString
    public var diff: Int64

    public init(kind: Kind, root: UInt64, type: InternedString, diff: Int64) {
        self.kind = kind
        self.root = root
        self.type = type
        self.diff = diff
    }
}

/// `btrfs_inode_new` / `btrfs_inode_request` / `btrfs_inode_evict`.
public struct InodeEvent: Sendable, Equatable {
    public enum Kind: Sendable { case new, request, evict }
    public var kind: Kind
    public var root: UInt64
    public var inode: UInt64

    public init(kind: Kind, root: UInt64, inode: UInt64) {
        self.kind = kind
        self.root = root
        self.inode = inode
    }
}

/// `iomap_dio_rw_begin` (6.5+).
public struct DirectIOBegin: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var offset: UInt64
    public var length: UInt64
    public var isWrite: Bool
    public var isAsync: Bool

    public init(device: UInt64, inode: UInt64, offset: UInt64, length: UInt64, isWrite: Bool, isAsync: Bool) {
        self.device = device
        self.inode = inode
        self.offset = offset
        self.length = length
        self.isWrite = isWrite
        self.isAsync = isAsync
    }
}

/// `iomap_dio_complete` (6.5+) and `iomap_dio_rw_queued` (async submission returned -EIOCBQUEUED).
public struct DirectIOEnd: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var offset: UInt64
    public var error: Int64
    public var result: Int64
    public var isQueued: Bool

    public init(device: UInt64, inode: UInt64, offset: UInt64, error: Int64, result: Int64, isQueued: Bool) {
        self.device = device
        self.inode = inode
        self.offset = offset
        self.error = error
        self.result = result
        self.isQueued = isQueued
    }
}

/// A kprobe or kretprobe hit on a btrfs direct-I/O function (the 6.1 lab captures use them).
public struct ProbeEvent: Sendable, Equatable {
    /// The probed function (`btrfs_dio_write`), from the event name or the `(sym+off/size)` part.
    public var function: InternedString
    public var isReturn: Bool
    public var inode: UInt64?
    public var position: UInt64?
    public var count: UInt64?
    /// `ret=` of a return probe (signed).
    public var returnValue: Int64?

    public init(function: InternedString, isReturn: Bool, inode: UInt64?, position: UInt64?, count: UInt64?, returnValue: Int64?) {
        self.function = function
        self.isReturn = isReturn
        self.inode = inode
        self.position = position
        self.count = count
        self.returnValue = returnValue
    }
}

/// btrfs async work items: `btrfs_work_sched` (`"%pU: work=%p (normal_work=%p) wq=%p func=%ps
/// ordered_func=%p ..."`) and `btrfs_all_work_done` (`"%pU: work->%p"`). A work item runs in one
/// worker task from `sched` to `done`; `finish_ordered_fn` items finish one ordered extent with the
/// inode's block reservation as the transaction's (btrfs_finish_ordered_io).
public struct WorkItem: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case scheduled, done }
    public var kind: Kind
    /// The work function (`finish_ordered_fn`), nil when the trace prints only an address.
    public var function: InternedString?

    public init(kind: Kind, function: InternedString?) {
        self.kind = kind
        self.function = function
    }
}

/// `iomap_iter`: `"dev %d:%d ino 0x%llx pos 0x%llx length 0x%llx [processed %lld | status %d]
/// flags %s (0x%x) ops %ps caller %pS"`. One step of an iomap operation; a direct-I/O read at EOF
/// has none.
public struct IomapIteration: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var position: UInt64
    public var length: UInt64
    /// `IOMAP_*` bits: WRITE = 1 << 0, ZERO = 1 << 1, REPORT = 1 << 2, FAULT = 1 << 3, DIRECT = 1 << 4.
    public var flags: UInt64

    public init(device: UInt64, inode: UInt64, position: UInt64, length: UInt64, flags: UInt64) {
        self.device = device
        self.inode = inode
        self.position = position
        self.length = length
        self.flags = flags
    }

    public static let writeFlag: UInt64 = 1 << 0
    public static let directFlag: UInt64 = 1 << 4
    public var isWrite: Bool { flags & Self.writeFlag != 0 }
    public var isDirect: Bool { flags & Self.directFlag != 0 }
}

/// `btrfs_reserve_ticket` (5.x+): `"%pU: flags=%s bytes=%llu start_ns=%llu flush=%s error=%d"`, printed
/// by a task that waited for space once its ticket was granted or failed. A granted ticket's
/// bytes were added to bytes_may_use by the task whose release granted it, in that task's context.
public struct ReservationTicket: Sendable, Equatable {
    public var space: SpaceKind
    public var bytes: UInt64
    /// When the wait started (trace clock), 0 when not sampled.
    public var startNanoseconds: UInt64
    public var error: Int64

    public init(space: SpaceKind, bytes: UInt64, startNanoseconds: UInt64, error: Int64) {
        self.space = space
        self.bytes = bytes
        self.startNanoseconds = startNanoseconds
        self.error = error
    }
}

/// One decoded accounting-relevant event.
public enum AccountingEvent: Sendable, Equatable {
    case spaceReservation(SpaceReservation)
    case spaceInfoUpdate(SpaceInfoUpdate)
    case outstandingExtents(OutstandingExtentsChange)
    case orderedExtent(OrderedExtentEvent)
    case orderedRangeFinished(OrderedRangeFinished)
    case extentReserved(DiskExtent)
    case reservedExtentAllocated(DiskExtent)
    case reservedExtentFreed(DiskExtent)
    case qgroupData(QgroupDataEvent)
    case qgroupReserveUpdate(QgroupReserveUpdate)
    case qgroupMeta(QgroupMetaEvent)
    case inode(InodeEvent)
    case transactionCommit
    case directIOBegin(DirectIOBegin)
    case directIOEnd(DirectIOEnd)
    case probe(ProbeEvent)
    case work(WorkItem)
    case reservationTicket(ReservationTicket)
    case iomapIteration(IomapIteration)
    /// Events the trace itself says are missing.
    case dataLoss(DataLoss)
}

/// A gap the trace reports: lost or overwritten events.
public struct DataLoss: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// `CPU:N [LOST M EVENTS]` (kernel) or `CPU:N [M EVENTS DROPPED]` (trace-cmd).
        case lost
        /// `##### CPU N buffer started ####`: that CPU's older events were overwritten.
        case bufferStarted = "buffer-started"
        /// Header `entries-in-buffer/entries-written: A/B` with A < B: the oldest events were overwritten.
        case overwritten
    }
    public var kind: Kind
    public var cpu: Int32
    /// Number of events lost, 0 when the trace does not say.
    public var count: UInt64

    public init(kind: Kind, cpu: Int32, count: UInt64) {
        self.kind = kind
        self.cpu = cpu
        self.count = count
    }
}

/// Where an event came from.
public struct EventOrigin: Sendable, Hashable {
    /// Index into the list of inputs of the run.
    public var file: Int32
    public var line: Int
    public init(file: Int32, line: Int) {
        self.file = file
        self.line = line
    }
}

/// A decoded event with its context.
public struct TraceEvent: Sendable {
    public var origin: EventOrigin
    /// Trace-clock nanoseconds (or counter ticks / relative µs; see `timestampKind`); nil when not printed.
    public var timestamp: UInt64?
    public var timestampKind: TimestampKind
    public var cpu: Int32
    public var pid: Int32
    /// The task's comm and the event's name, interned: an event is plain data.
    public var comm: InternedString
    public var name: InternedString
    public var filesystem: FilesystemID?
    public var payload: AccountingEvent

    public init(origin: EventOrigin, timestamp: UInt64?, timestampKind: TimestampKind, cpu: Int32, pid: Int32,
                comm: InternedString, name: InternedString, filesystem: FilesystemID?, payload: AccountingEvent) {
        self.origin = origin
        self.timestamp = timestamp
        self.timestampKind = timestampKind
        self.cpu = cpu
        self.pid = pid
        self.comm = comm
        self.name = name
        self.filesystem = filesystem
        self.payload = payload
    }
}
