import TraceEvents

/// A compact reference to an input event, turned into an `EventReference` only for findings.
struct EventRef: Sendable {
    var file: Int32
    var line: Int
    var timestamp: UInt64?
    var pid: Int32
    var comm: String
    var name: String
    /// The typed event, for the story of a finding (Story/).
    var payload: AccountingEvent
    /// How the balance whose chain holds this reference moved, when the ledger knows it.
    var step: BalanceStep?

    init(_ e: TraceEvent) {
        file = e.origin.file
        line = e.origin.line
        timestamp = e.timestamp
        pid = e.pid
        comm = e.comm
        name = e.name
        payload = e.payload
    }

    /// This reference with the step it made on one balance.
    func with(_ step: BalanceStep) -> EventRef {
        var r = self
        r.step = step
        return r
    }
}

/// The events that built up a balance since it was last zero, capped in the middle so memory
/// stays bounded while the first and the latest events are kept.
struct EventChain: Sendable {
    static let limit = 48
    static let head = 16
    private(set) var events: [EventRef] = []
    private(set) var elided = 0

    mutating func append(_ e: EventRef) {
        if events.count >= Self.limit {
            events.remove(at: Self.head)
            elided += 1
        }
        events.append(e)
    }

    mutating func append(contentsOf other: EventChain) {
        elided += other.elided
        for e in other.events { append(e) }
    }

    mutating func reset() {
        events.removeAll(keepingCapacity: true)
        elided = 0
    }

    var isEmpty: Bool { events.isEmpty }
}
