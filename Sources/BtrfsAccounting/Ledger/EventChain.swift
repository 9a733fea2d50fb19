import TraceEvents

/// A compact reference to an input event, turned into an `EventReference` only for findings.
struct EventRef: Sendable {
    var file: Int32
    var line: Int
    var timestamp: UInt64?
    var pid: Int32
    var comm: InternedString
    var name: InternedString
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
/// stays bounded while the first and the latest events are kept: the first `head` in order, then
/// the latest `limit - head` in a ring, so an append is O(1) however long the balance lives.
struct EventChain: Sendable {
    static let limit = 48
    static let head = 16
    private var storage: [EventRef] = []
    /// Position in the ring (storage[head...]) of its oldest event, once the chain is full.
    private var ringStart = 0
    private(set) var elided = 0

    /// The kept events in order: the head, then the ring from its oldest event.
    var events: [EventRef] {
        guard ringStart > 0 else { return storage }
        return Array(storage[..<Self.head]) + storage[(Self.head + ringStart)...] + storage[Self.head..<(Self.head + ringStart)]
    }

    mutating func append(_ e: EventRef) {
        guard storage.count >= Self.limit else {
            storage.append(e)
            return
        }
        storage[Self.head + ringStart] = e
        ringStart = (ringStart + 1) % (Self.limit - Self.head)
        elided += 1
    }

    mutating func append(contentsOf other: EventChain) {
        elided += other.elided
        for e in other.events { append(e) }
    }

    mutating func reset() {
        storage.removeAll(keepingCapacity: true)
        ringStart = 0
        elided = 0
    }

    var isEmpty: Bool { storage.isEmpty }
}
