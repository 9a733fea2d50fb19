/// The values decoded from the last few distinct byte strings of one field (each at most 32
/// bytes), so that a string seen again is decoded by comparing its words instead of reading it
/// again: an ordered extent's `flags=REGULAR|IO_DONE|COMPLETE` repeats over its events and those
/// of its neighbours (three strings make up the flags of every ordered-extent event of the 6.18
/// generic/130 capture), and its names are matched against the flag table one by one.
///
/// A string is kept with its length and its bytes (four little-endian words, the bytes past its
/// end masked off), so two strings match exactly when they are the same bytes. Words are read
/// only inside the buffer: a string with fewer than 32 bytes after its start is not kept.
final class RecentValues<Value> {
    static var capacity: Int { 4 }
    static var maximumLength: Int { 32 }

    struct Key: Equatable {
        var length = 0
        var w0: UInt64 = 0
        var w1: UInt64 = 0
        var w2: UInt64 = 0
        var w3: UInt64 = 0
    }

    private let keys = UnsafeMutablePointer<Key>.allocate(capacity: capacity)
    private let values: UnsafeMutablePointer<Value>
    /// The entry the next `insert` replaces.
    private var next = 0

    /// Entries hold `placeholder` until replaced; they never match (their length is 0).
    init(placeholder: Value) {
        keys.initialize(repeating: Key(), count: Self.capacity)
        values = .allocate(capacity: Self.capacity)
        values.initialize(repeating: placeholder, count: Self.capacity)
    }

    deinit {
        keys.deinitialize(count: Self.capacity)
        keys.deallocate()
        values.deinitialize(count: Self.capacity)
        values.deallocate()
    }

    /// The key of `p[s..<e]`; nil when it is empty, longer than 32 bytes, or fewer than 32 bytes
    /// of `p` start at `s`.
    @inline(__always)
    static func key(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Key? {
        let n = e &- s
        guard n > 0, n <= maximumLength, s >= 0, s &+ maximumLength <= p.count else { return nil }
        @inline(__always) func masked(_ j: Int) -> UInt64 {
            let valid = n &- 8 &* j
            if valid <= 0 { return 0 }
            let w = Bytes.word(p, s &+ 8 &* j)
            return valid >= 8 ? w : w & ((1 << UInt64(8 &* valid)) &- 1)
        }
        return Key(length: n, w0: masked(0), w1: masked(1), w2: masked(2), w3: masked(3))
    }

    /// The value kept for `key`, if any.
    @inline(__always)
    func value(_ key: Key) -> Value? {
        var k = 0
        while k < Self.capacity {
            if keys[k] == key { return values[k] }
            k &+= 1
        }
        return nil
    }

    /// Keeps `value` for `key`, replacing the oldest entry.
    func insert(_ key: Key, _ value: Value) {
        keys[next] = key
        values[next] = value
        next = (next &+ 1) % Self.capacity
    }
}
