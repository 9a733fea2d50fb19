/// The key sequence of one event type's `key=value` payload, learned from one payload that
/// `PayloadFields.load` tokenized, and where each of the family's fields (`FieldKey.slot`) is in it.
///
/// The kernel prints an event type's fields with one `TP_printk` format, so the next payloads of
/// that type carry the same keys in the same order with other values. `PayloadFields.load(_:_:_:layout:)`
/// checks each key in place (one or two masked word compares) instead of scanning for `=`, and
/// the family decoder's lookups become a table read by slot. A payload that does not match key
/// for key (another kernel's format, a different field count, a comma, a 4.x ` = `) is tokenized
/// as before; the fields found are the same either way, which `load(layout:)` is written to
/// guarantee and the tests compare on every bundled trace.
final class PayloadLayout {
    /// One key and its `=`, at most 16 bytes, as two little-endian words with the masks of the
    /// bytes that belong to it.
    struct Key {
        var length = 0
        var low: UInt64 = 0
        var lowMask: UInt64 = 0
        var high: UInt64 = 0
        var highMask: UInt64 = 0

        /// True when `p[i..<i + length]` is this key and its `=`. Words are loaded only from
        /// inside `p`: near its end the load ends at `p`'s (or the key's) last byte and is shifted.
        @inline(__always)
        func matches(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Bool {
            guard i &+ length <= end else { return false }
            let n = p.count
            let first: UInt64
            if i &+ 8 <= n {
                first = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            } else if n >= 8 {
                first = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)) >> UInt64(8 &* (i &+ 8 &- n))
            } else {
                for k in 0..<length where p[i &+ k] != byte(k) { return false }
                return true
            }
            guard first & lowMask == low else { return false }
            guard length > 8 else { return true }
            let second: UInt64
            if i &+ 16 <= n {
                second = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self))
            } else {
                // The eight bytes ending with the key's last, less those before `i + 8`.
                second = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i &+ length &- 8, as: UInt64.self)) >> UInt64(8 &* (16 &- length))
            }
            return second & highMask == high
        }

        /// A key of `length` bytes, all zero until set.
        init(length: Int) { self.length = length }

        /// The key of `bytes` (at most 16).
        init(_ bytes: ArraySlice<UInt8>) {
            precondition(!bytes.isEmpty && bytes.count <= PayloadLayout.maximumKeyLength)
            length = bytes.count
            for (k, byte) in bytes.enumerated() { set(k, byte) }
        }

        /// Byte `k` of the key is `byte`.
        @inline(__always)
        mutating func set(_ k: Int, _ byte: UInt8) {
            let b = UInt64(byte) << UInt64(8 * (k & 7))
            let m = UInt64(0xFF) << UInt64(8 * (k & 7))
            if k < 8 { low |= b; lowMask |= m } else { high |= b; highMask |= m }
        }

        @inline(__always)
        func byte(_ k: Int) -> UInt8 {
            UInt8(truncatingIfNeeded: (k < 8 ? low : high) >> UInt64(8 * (k & 7)))
        }
    }

    /// The longest key (with its `=`) a layout holds; payloads with a longer key are not learned.
    static let maximumKeyLength = 16

    let keys: UnsafeMutableBufferPointer<Key>
    /// Per slot of the family's `fieldKeys`: the index of the field its lookup finds, or -1.
    let slots: UnsafeMutableBufferPointer<Int16>
    /// The last payload loaded through this layout, and the numbers read from its fields
    /// (`PayloadLayout+Previous.swift`).
    let previous: PreviousPayload

    /// The layout of the payload `fields` holds (just tokenized by `load`), for a decoder that
    /// reads `fieldKeys`; nil when the payload is not one a layout can stand for: a field that
    /// was not a plain `key=value` (see `PayloadFields.isPlainKeyValue`) or a key too long.
    init?(_ fields: PayloadFields, fieldKeys: [FieldKey]) {
        guard fields.isPlainKeyValue else { return nil }
        let p = fields.buffer
        var learned: [Key] = []
        learned.reserveCapacity(fields.count)
        for f in 0..<fields.count {
            let (ks, ke) = fields.keyRange(f)
            // The key, then the `=` the tokenizer stopped at.
            let n = ke - ks + 1
            guard n <= Self.maximumKeyLength, ke < p.count, p[ke] == 0x3D else { return nil }
            learned.append(Key(ArraySlice(p[ks..<ks + n])))
        }
        keys = .allocate(capacity: learned.count)
        _ = keys.initialize(from: learned)
        slots = .allocate(capacity: (fieldKeys.map(\.slot).max() ?? -1) + 1)
        slots.initialize(repeating: -1)
        for key in fieldKeys {
            slots[key.slot] = Int16(fields.fieldIndex(key) ?? -1)
        }
        previous = PreviousPayload(fieldCount: learned.count)
    }

    /// True when `other` has the same keys and slots: payloads of both read the same way, so
    /// event names of one class (`btrfs__ordered_extent`: add, put, lookup, ...) share one.
    func hasShape(of other: PayloadLayout) -> Bool {
        guard keys.count == other.keys.count, slots.count == other.slots.count else { return false }
        for k in keys.indices {
            let a = keys[k], b = other.keys[k]
            guard a.length == b.length, a.low == b.low, a.high == b.high else { return false }
        }
        return slots.elementsEqual(other.slots)
    }

    deinit {
        keys.deallocate()
        slots.deallocate()
    }
}
