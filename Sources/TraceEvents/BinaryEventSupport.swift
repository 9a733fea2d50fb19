/// Public hooks for binary (field-based) readers such as `TraceDat`, so they decode the same event
/// names into the same `AccountingEvent` cases as the text path without re-parsing text.
///
/// This file only wraps internal symbols (`SpaceKind.init(flags:)`, `SpaceEvents.kind`); the
/// family decoders themselves are shared through `EventFields` and `RecordLayout`.
/// The decoding each event name gets, shared by the text path and field-based readers.
public typealias AccountingEventKind = DecoderKind

extension DecoderKind {
    /// The decoding the text path uses for an event name.
    public static func forEventName(_ name: String) -> DecoderKind { forName(name) }
}

extension SpaceKind {
    /// Block-group flags (DATA=1, SYSTEM=2, METADATA=4, ...) as the text decoders map them.
    public init(blockGroupFlags flags: UInt64) { self.init(flags: flags) }
}

extension SpaceReservation.Kind {
    /// Maps the `btrfs_space_reservation` `type` string and `val` as the text decoder does.
    public init(type: String, value: UInt64) {
        var type = type
        self = type.withUTF8 { SpaceEvents.kind(UnsafeRawBufferPointer($0), val: value) }
    }
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
