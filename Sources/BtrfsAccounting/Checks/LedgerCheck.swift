import TraceEvents

/// A moment of the replay at which the balances are checked. The ledger replays events into
/// balances and emits these; each rule's check (one file each in this folder, listed in
/// `CheckTable`) turns a moment into findings.
enum LedgerMoment {
    /// A direct-I/O write's window ended and its ordered extents were removed.
    case ioEnded(IOState)
    /// An inode was evicted (checked once its evicting task moved on).
    case inodeEvicted(EvictedInode)
    /// The trace ended with the inode not evicted.
    case traceEndedWithInode(InodeState, metadata: MetadataBalance?)
    /// The trace ended: the filesystem-wide bytes_may_use value of one space type.
    case traceEndedWithSpace(Ledger.SpaceKey, Ledger.SpaceValue, unmounted: Bool)
    /// The trace ended: what it says it lost.
    case traceEndedWithLoss(markers: [EventRef], lostEvents: UInt64, filesystem: FilesystemID?)
    /// An inode's outstanding extents changed (`state` after the change).
    case outstandingChanged(InodeOutstanding, OutstandingExtentsChange, EventRef, previousReported: UInt64?)
    /// An ordered extent was removed that no open one matches.
    case unmatchedOrderedExtentRemove(InodeState, OrderedExtentEvent, EventRef)
    /// A value the kernel prints did not follow from the events before it.
    case valueChainBroke(ValueChainKey, FilesystemID?, ValueChain.Break)

    enum Kind: Int, CaseIterable { case ioEnded, inodeEvicted, traceEndedWithInode, traceEndedWithSpace, traceEndedWithLoss,
                              outstandingChanged, unmatchedOrderedExtentRemove, valueChainBroke }

    var kind: Kind {
        switch self {
        case .ioEnded: .ioEnded
        case .inodeEvicted: .inodeEvicted
        case .traceEndedWithInode: .traceEndedWithInode
        case .traceEndedWithSpace: .traceEndedWithSpace
        case .traceEndedWithLoss: .traceEndedWithLoss
        case .outstandingChanged: .outstandingChanged
        case .unmatchedOrderedExtentRemove: .unmatchedOrderedExtentRemove
        case .valueChainBroke: .valueChainBroke
        }
    }
}

/// An evicted inode with everything its checks look at.
struct EvictedInode {
    var state: InodeState
    var metadata: MetadataBalance?
    var evict: EventRef
    /// Events were lost while the inode lived, or before it when its baseline is unknown.
    var lossy: Bool
}

/// What the checks may know about the whole replay.
struct CheckContext {
    /// 4.x-era trace (ordered-extent events without fsid): delalloc is per-write.
    var isLegacy: Bool
    /// I2 is exact: 4.x, or the work-item events bound ordered-extent completion.
    var metadataExact: Bool
    var sawOrderedExtentRemove: Bool
    var lastTimestamp: UInt64?
    var lossSeen: Bool
    var lastFilesystem: FilesystemID?
}

/// A finding a check wants made; the ledger turns its events into references, lowers an error to
/// a warning when the balance spans lost events, and makes `once` findings once per inode and rule.
struct FindingDraft {
    enum Subject { case inode(InodeKey), filesystem(FilesystemID?) }
    var rule: Rule
    var subject: Subject
    var amount: Int64
    var unit: AmountUnit
    var message: String
    var chain: EventChain
    var extra: [EventRef] = []
    var lossy: Bool
    var once = false
    var io: IODescription? = nil
}

/// One rule's check: the rule, when it runs and what it finds, together in one file.
protocol LedgerCheck: Sendable {
    static var rule: Rule { get }
    static var moments: [LedgerMoment.Kind] { get }
    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft]
}

/// What the checks of an outstanding-extents change read of the inode: a copy of these per
/// event, not of the whole `InodeState` (its ordered extents, pending mods and history).
struct InodeOutstanding: Sendable {
    var key: InodeKey
    var outstanding: Balance
    var baselineKnown: Bool
    var sawDataLossSinceStart: Bool

    init(_ state: InodeState) {
        key = state.key
        outstanding = state.outstanding
        baselineKnown = state.baselineKnown
        sawDataLossSinceStart = state.sawDataLossSinceStart
    }
}
