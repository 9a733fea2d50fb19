/// Event names seen on earlier lines, to recognize the next line's name by comparing words
/// instead of checking every byte and hashing it again.
///
/// A trace names a few dozen tracepoints over millions of lines. `LineTokenizer.parseName` finds
/// the first `:` and checks each byte before it; a name that went through that check once (and
/// had no subsystem prefix) is kept here with its hash, so that the same bytes followed by the
/// same `:` and a blank are known to parse the same way. One cache per reader (not shared
/// between threads).
public final class EventNameCache {
    /// The longest name kept, plus one (its `:` is found within six words).
    static let maximumLength = 48
    /// Sets of `ways` entries, chosen by a hash of the name's first and last words and length (a
    /// trace's few dozen names then seldom evict each other).
    static let setCount = 64
    static let ways = 4
    /// Words of a name between its first and last eight bytes (offsets 8, 16, 24, 32).
    static let middleWords = 4

    /// A name's length, hash, and its first and last eight bytes (the first masked to the name
    /// when it is shorter, and then also the last); the words between are in `middles`.
    struct Entry {
        var length = 0
        var hash: UInt64 = 0
        var first: UInt64 = 0
        var last: UInt64 = 0
        /// The number the cache's reader gave this name (`setID`), -1 until then.
        var id: Int32 = -1
    }

    private let entries = UnsafeMutablePointer<Entry>.allocate(capacity: setCount * ways)
    private let middles = UnsafeMutablePointer<UInt64>.allocate(capacity: setCount * ways * middleWords)
    /// Per set, the way the next insert replaces.
    private var nextWay = [UInt8](repeating: 0, count: setCount)

    public init() {
        entries.initialize(repeating: Entry(), count: Self.setCount * Self.ways)
        middles.initialize(repeating: 0, count: Self.setCount * Self.ways * Self.middleWords)
    }

    deinit {
        entries.deallocate()
        middles.deallocate()
    }

    @inline(__always)
    static func set(first: UInt64, last: UInt64, length: Int) -> Int {
        Int(truncatingIfNeeded: ((first ^ (last &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(length)) &* 0xFF51_AFD7_ED55_8CCD) >> 58)
    }

    /// The length, hash and entry of the name at `k` when it is one kept here, followed by `:`
    /// and a blank or the end: then `parseName` would find this very name there. Nil otherwise
    /// (also when fewer than 48 bytes follow `k`: words are read only inside `p`).
    @inline(__always)
    func lookup(_ p: UnsafeRawBufferPointer, _ k: Int, _ end: Int) -> (length: Int, hash: UInt64, entry: Int32)? {
        guard end == p.count, k + Self.maximumLength <= end else { return nil }
        // The first `:` within six words.
        var length = -1
        var i = 0
        while i < Self.maximumLength {
            let m = Bytes.bytes(of: Bytes.word(p, k + i), equalTo: 0x3A)
            if m != 0 {
                length = i + m.trailingZeroBitCount >> 3
                break
            }
            i += 8
        }
        guard length > 0 else { return nil }
        let after = k + length + 1
        guard after == end || Bytes.isSpace(p[after]) else { return nil }
        let word = Bytes.word(p, k)
        let first = length >= 8 ? word : word & ((1 << UInt64(length * 8)) &- 1)
        let last = length >= 8 ? Bytes.word(p, k + length - 8) : first
        let slot = Self.set(first: first, last: last, length: length) &* Self.ways
        var way = 0
        while way < Self.ways {
            let e = entries[slot &+ way]
            if e.length == length && e.first == first && e.last == last {
                // The whole words between the first and the last eight bytes.
                let words = middles + (slot &+ way) &* Self.middleWords
                var offset = 8
                var n = 0
                while offset < length - 8 && Bytes.word(p, k + offset) == words[n] {
                    offset += 8
                    n += 1
                }
                if offset >= length - 8 { return (length, e.hash, Int32(truncatingIfNeeded: slot &+ way)) }
            }
            way += 1
        }
        return nil
    }

    /// The number `setID` gave the name of `entry` (an entry `lookup` or `insert` returned, its
    /// name not replaced since), -1 when none was given.
    @inline(__always)
    func id(of entry: Int32) -> Int32 { entries[Int(entry)].id }

    /// Gives the name of `entry` (as for `id(of:)`) the reader's number `id`.
    @inline(__always)
    func setID(_ id: Int32, of entry: Int32) { entries[Int(entry)].id = id }

    /// Keeps the name `p[start..<end]` (checked by `parseName`, no subsystem prefix) with its
    /// hash, in the entry returned (-1 when the name is too long to keep).
    @discardableResult
    func insert(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, hash: UInt64) -> Int32 {
        let length = end - start
        guard length > 0, length < Self.maximumLength else { return -1 }
        func bytes(_ from: Int, _ count: Int) -> UInt64 {
            var w: UInt64 = 0
            for i in 0..<count { w |= UInt64(p[from + i]) << UInt64(8 * i) }
            return w
        }
        let first = bytes(start, min(8, length))
        let entry = Entry(length: length, hash: hash, first: first, last: length >= 8 ? bytes(end - 8, 8) : first)
        let set = Self.set(first: entry.first, last: entry.last, length: length)
        let way = Int(nextWay[set])
        nextWay[set] = UInt8((way + 1) % Self.ways)
        let slot = set * Self.ways + way
        entries[slot] = entry
        var offset = 8
        var n = 0
        while offset < length - 8 {
            middles[slot * Self.middleWords + n] = bytes(start + offset, 8)
            offset += 8
            n += 1
        }
        return Int32(slot)
    }
}
