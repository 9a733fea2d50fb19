import Synchronization

/// A string stored once per process and named by its number. Event payloads carry these instead
/// of `String`, so an `AccountingEvent` is plain data: copied with a memcpy, never reference
/// counted, which matters because the replay copies every event several times. Equal strings have
/// equal numbers, so comparing and hashing never look at the characters.
///
/// The table holds the comms and event names of the traces read, and the names their payloads
/// print (probed and work functions, reservation and qgroup types): hundreds in a real trace.
/// Past `InternTable.capacity` distinct strings (hostile input, or a fuzzer's process), further
/// ones share one entry that says so, and so compare equal to each other: memory stays bounded.
public struct InternedString: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible,
                              CustomDebugStringConvertible {
    let id: UInt32

    public init(_ string: String) { id = InternTable.id(of: string) }
    public init(stringLiteral value: String) { self.init(value) }
    public init(decoding bytes: UnsafeRawBufferPointer) { self.init(String(decoding: bytes, as: UTF8.self)) }

    public var string: String { InternTable.string(id) }
    public var description: String { string }
    /// As the string's own (quoted): reflection of a value holding one prints what a `String` did.
    public var debugDescription: String { string.debugDescription }

    public static func == (a: InternedString, b: String) -> Bool { a.string == b }
}

enum InternTable {
    static let capacity = 1 << 16
    static let overflow = "<more distinct names than dio-trace keeps>"

    private struct State {
        var ids: [String: UInt32] = [overflow: 0]
        var strings: [String] = [overflow]
    }

    private static let state = Mutex(State())

    static func id(of string: String) -> UInt32 {
        state.withLock { s in
            if let id = s.ids[string] { return id }
            guard s.strings.count < capacity else { return 0 }
            let id = UInt32(s.strings.count)
            s.strings.append(string)
            s.ids[string] = id
            return id
        }
    }

    static func string(_ id: UInt32) -> String {
        state.withLock { $0.strings[Int(id)] }
    }
}
