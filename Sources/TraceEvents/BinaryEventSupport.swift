/// Public hooks for binary (field-based) readers such as `TraceDat`, so they decode the same event
/// names into the same `AccountingEvent` cases as the text path without re-parsing text.
///
/// This file only wraps internal symbols (`DecoderKind`, `SpaceKind.init(flags:)`,
/// `SpaceEvents.kind`); the text decoders are untouched.
public enum AccountingEventKind: Sendable, Equatable {
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
    /// Named like a probe (`*_entry`, `*_ret`, `p_*`, ...); decoded only if it really is a kprobe/kretprobe.
    case probeCandidate
    /// Counted, not decoded.
    case ignored

    /// The decoding the text path uses for an event name (same table as `DecoderKind.forName`).
    public static func forEventName(_ name: String) -> AccountingEventKind {
        switch DecoderKind.forName(name) {
        case .spaceReservation: .spaceReservation
        case .spaceInfoUpdate(let c): .spaceInfoUpdate(c)
        case .outstandingExtents: .outstandingExtents
        case .orderedExtent(let s): .orderedExtent(s)
        case .orderedRangeFinished: .orderedRangeFinished
        case .extentReserved: .extentReserved
        case .reservedExtent(let freed): .reservedExtent(freed: freed)
        case .qgroupData: .qgroupData
        case .qgroupReserveUpdate: .qgroupReserveUpdate
        case .qgroupMeta(let k): .qgroupMeta(k)
        case .inode(let k): .inode(k)
        case .transactionCommit: .transactionCommit
        case .directIOBegin: .directIOBegin
        case .directIOEnd(let q): .directIOEnd(queued: q)
        case .probeCandidate: .probeCandidate
        case .ignored: .ignored
        }
    }

    public var isDecoded: Bool { self != .ignored }
}

extension SpaceKind {
    /// Block-group flags (DATA=1, SYSTEM=2, METADATA=4, ...) as the text decoders map them.
    public init(blockGroupFlags flags: UInt64) { self.init(flags: flags) }
}

extension SpaceReservation.Kind {
    /// Maps the `btrfs_space_reservation` `type` string and `val` as the text decoder does.
    public init(type: String, value: UInt64) { self = SpaceEvents.kind(type, val: value) }
}

extension ProbeEvent {
    /// Splits a probe event name into the probed function and whether it is a return probe,
    /// with the same rules as the text decoder (`_entry`/`_ret`/`_return`/`_exit`, `p_`/`r_` + `_N`).
    public static func function(fromEventName name: String) -> (function: String, isReturn: Bool) {
        ProbeEvents.function(fromEventName: name)
    }
}

extension TraceStatistics {
    /// Records a non-fatal problem (kept up to `problemLimit`), for readers outside this module.
    public mutating func noteProblem(_ kind: InputProblem.Kind, file: String, line: Int, _ message: @autoclosure () -> String) {
        note(kind, file: file, line: line, message())
    }
}
