/// The `key=value` fields of one payload, as offsets into the line.
///
/// Accepts both the modern `key=value key=value` style and the 4.x `key = value, key = value`
/// style. Values end at a blank; a trailing `,` is not part of the value.
/// - Complexity: O(n) once per payload; lookups are O(fields).
public final class PayloadFields {
    private static let capacity = 48
    /// Per field: key start, key end, value start, value end (one allocation, written per payload
    /// without the uniqueness and bounds checks of four arrays).
    private let spans = UnsafeMutablePointer<Int>.allocate(capacity: 4 * capacity)
    public private(set) var count = 0
    /// True when the payload used the 4.x ` = ` separator.
    public private(set) var usedSpacedEquals = false
    /// True when every word of the payload was a `key=value` field, with no `,` trimmed off and
    /// no word skipped, below `capacity` fields: what a `PayloadLayout` can be learned from.
    private(set) var isPlainKeyValue = false
    /// After a load through a layout: its slot table, which `range(_: FieldKey)` reads.
    private(set) var slots: UnsafeMutableBufferPointer<Int16>? = nil
    /// After a load through a layout: where its previous payload keeps the numbers read (plain
    /// pointers: no retain and release per field read).
    private(set) var numbers: PreviousPayload.Numbers? = nil
    private var base: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Ordered-extent flags decoded from the last few distinct strings, per enum order.
    let recentModernFlags = RecentValues<OrderedExtentFlags>(placeholder: [])
    let recentLegacyFlags = RecentValues<OrderedExtentFlags>(placeholder: [])

    public init() {
        spans.initialize(repeating: 0, count: 4 * Self.capacity)
    }

    deinit {
        spans.deallocate()
    }

    @inline(__always) private func keyStart(_ f: Int) -> Int { spans[4 &* f] }
    @inline(__always) private func keyEnd(_ f: Int) -> Int { spans[4 &* f &+ 1] }
    @inline(__always) private func valueStart(_ f: Int) -> Int { spans[4 &* f &+ 2] }
    @inline(__always) private func valueEnd(_ f: Int) -> Int { spans[4 &* f &+ 3] }

    /// Tokenizes `p[start..<end]`.
    public func load(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        base = p
        count = 0
        usedSpacedEquals = false
        slots = nil
        numbers = nil
        var plain = true
        defer { isPlainKeyValue = plain && count < Self.capacity }
        var i = start
        while i < end && count < Self.capacity {
            i = Bytes.skipSpaces(p, i, end)
            if i >= end { break }
            let ks = i
            i = Bytes.skipToEqualsOrSpace(p, i, end)
            var ke = i
            var vs: Int
            if i < end && p[i] == 0x3D {
                vs = i + 1
            } else {
                // 4.x: `key = value,`
                let j = Bytes.skipSpaces(p, i, end)
                plain = false
                if j + 1 < end && p[j] == 0x3D && Bytes.isSpace(p[j + 1]) {
                    usedSpacedEquals = true
                    vs = Bytes.skipSpaces(p, j + 1, end)
                } else {
                    continue
                }
            }
            if ke > ks && p[ke - 1] == 0x2C { ke -= 1; plain = false }
            var ve = Bytes.skipToSpace(p, vs, end)
            i = ve
            if ve > vs && p[ve - 1] == 0x2C { ve -= 1; plain = false }
            append(ks, ke, vs, ve)
        }
    }

    /// Tokenizes `p[start..<end]` as a payload with `layout`'s keys, in order, each checked in
    /// place: the fields are those `load(_:_:_:)` finds on such a payload (a `key=` it finds
    /// ends at the first `=`, and a layout's keys hold none), and lookups by `FieldKey` read the
    /// layout's slots. False, with nothing to use, when the payload has other keys, more or fewer
    /// fields, or a value ending in `,` (which `load` would trim): tokenize it with `load` then.
    ///
    /// The leading fields the layout's previous payload shares byte for byte (with the blank
    /// after each) are taken from it as they are: checking them again would find the same.
    @inline(__always)
    func load(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, layout: PayloadLayout) -> Bool {
        base = p
        count = 0
        usedSpacedEquals = false
        slots = nil
        numbers = nil
        let kept = layout.previous
        let unchanged = kept.unchangedFields(p, start, end)
        var i = start
        while count < unchanged {
            let (ks, ke, vs, ve) = kept.span(count)
            append(start &+ ks, start &+ ke, start &+ vs, start &+ ve)
            i = start &+ ve
        }
        var k = unchanged
        while k < layout.keys.count {
            let key = layout.keys[k]
            i = Bytes.skipSpaces(p, i, end)
            guard key.matches(p, i, end) else { return false }
            let vs = i &+ key.length
            let ve = Bytes.skipToSpace(p, vs, end)
            if ve > vs && p[ve &- 1] == 0x2C { return false }
            append(i, vs &- 1, vs, ve)
            i = ve
            k &+= 1
        }
        guard Bytes.skipSpaces(p, i, end) == end else { return false }
        kept.keep(p, start, end, loaded: spans, unchanged: unchanged)
        isPlainKeyValue = true
        slots = layout.slots
        numbers = kept.numbers
        return true
    }

    /// Tokenizes the blank-separated words of `p[start..<end]` (iomap's `key value` rendering).
    /// With `pairs`, words alternate key, value (`dev 0:40 ino 0x102 ...`; a key followed by two
    /// blanks has an empty value); otherwise every word
    /// is a key whose value is the next word (`... flags WRITE (0x1) ops ...`, where a value may
    /// be followed by a note). No allocation; `index` finds the first key of a name.
    public func loadWords(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, pairs: Bool) {
        base = p
        count = 0
        usedSpacedEquals = false
        isPlainKeyValue = false
        slots = nil
        numbers = nil
        var i = Bytes.skipSpaces(p, start, end)
        var previous: (Int, Int)?
        while i < end && count < Self.capacity {
            let ws = i
            i = Bytes.skipToSpace(p, i, end)
            let we = i
            i = Bytes.skipSpaces(p, i, end)
            if let (ks, ke) = previous {
                append(ks, ke, ws, we)
                // Pairs: the next word starts a new pair; words: this value is the next key.
                previous = pairs ? nil : (ws, we)
            } else if pairs && i &- we >= 2 && i < end {
                // `key  next`: the kernel prints one blank between a key and its value, so a
                // `%s` printed empty (`dio_flags  aio 1`, no flag set) leaves two.
                append(ws, we, we &+ 1, we &+ 1)
            } else {
                previous = (ws, we)
            }
        }
    }

    @inline(__always)
    private func append(_ ks: Int, _ ke: Int, _ vs: Int, _ ve: Int) {
        let slot = spans + 4 &* count
        slot[0] = ks
        slot[1] = ke
        slot[2] = vs
        slot[3] = ve
        count &+= 1
    }

    /// Whether the value of field `f` contains `literal`.
    public func value(_ f: Int, contains literal: StaticString) -> Bool {
        Bytes.contains(base, valueStart(f), valueEnd(f), literal)
    }

    /// The value range of field `f`.
    public func valueRange(_ f: Int) -> (Int, Int) { (valueStart(f), valueEnd(f)) }

    /// The key range of field `f`.
    func keyRange(_ f: Int) -> (Int, Int) { (keyStart(f), keyEnd(f)) }

    /// Index of the field named `key`, or nil (the first such field).
    @inline(__always)
    public func index(_ key: StaticString) -> Int? {
        let n = key.utf8CodeUnitCount
        for f in 0..<count where keyEnd(f) - keyStart(f) == n && Bytes.matches(base, keyStart(f), keyEnd(f), key) {
            return f
        }
        return nil
    }

    public func has(_ key: StaticString) -> Bool { index(key) != nil }

    /// Unsigned value (decimal or 0x-hex; digits may be followed by `(NAME)`).
    public func unsigned(_ key: StaticString) -> UInt64? {
        guard let f = index(key), let r = Bytes.parseNumber(base, valueStart(f), valueEnd(f)), !r.negative else { return nil }
        return r.magnitude
    }

    /// Signed value.
    public func signed(_ key: StaticString) -> Int64? {
        guard let f = index(key), let r = Bytes.parseNumber(base, valueStart(f), valueEnd(f)) else { return nil }
        return Self.signedValue(r.magnitude, negative: r.negative)
    }

    public func string(_ key: StaticString) -> String? {
        guard let f = index(key) else { return nil }
        return Bytes.string(base, valueStart(f), valueEnd(f))
    }

    /// The raw value range of `key`.
    public func range(_ key: StaticString) -> (Int, Int)? {
        guard let f = index(key) else { return nil }
        return (valueStart(f), valueEnd(f))
    }

    public var buffer: UnsafeRawBufferPointer { base }
}

/// The `%pU: ` prefix of btrfs events.
enum FilesystemPrefix {
    /// Parses a canonical UUID followed by `:` at `i`; returns the id and the index after `": "`.
    static func parse(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> (FilesystemID, Int)? {
        if Bytes.matches(p, i, end, "fsid=ARRAY[") { return parseArray(p, i + 11, end) }
        guard i + 37 <= end, p[i + 36] == 0x3A, p[i + 8] == 0x2D, p[i + 13] == 0x2D, p[i + 18] == 0x2D, p[i + 23] == 0x2D else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0, n = 0
        var k = i
        while k < i + 36 {
            let c = p[k]
            if c != 0x2D {
                guard let v = Bytes.hexValue(c) else { return nil }
                if n < 16 { high = (high << 4) | v } else { low = (low << 4) | v }
                n += 1
            }
            k += 1
        }
        guard n == 32 else { return nil }
        return (FilesystemID(high: high, low: low), Bytes.skipSpaces(p, i + 37, end))
    }

    /// `trace-cmd report -R`: `fsid=ARRAY[0f, cf, ...]` (16 hex bytes).
    static func parseArray(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> (FilesystemID, Int)? {
        var k = i
        var high: UInt64 = 0, low: UInt64 = 0, n = 0
        while k < end && p[k] != 0x5D {
            k = Bytes.skipSpaces(p, k, end)
            guard let (v, j) = Bytes.parseHex(p, k, end), v < 256 else { return nil }
            if n < 8 { high = (high << 8) | v } else { low = (low << 8) | v }
            n += 1
            k = j
            if k < end && p[k] == 0x2C { k += 1 }
        }
        guard n == 16, k < end else { return nil }
        return (FilesystemID(high: high, low: low), Bytes.skipSpaces(p, k + 1, end))
    }
}
