/// Text field access for the family decoders: fields by `key=` (or 4.x `key = value,`) in the
/// printed payload, numbers parsed in place, names compared as bytes (no `String` per field).
extension PayloadFields: EventFields {
    /// The value range of the first of `key`'s names that is present: read from the layout's
    /// slot after `load(layout:)`, looked up by name otherwise.
    @inline(__always)
    func range(_ key: FieldKey) -> (Int, Int)? {
        if let slots, key.slot < slots.count {
            let f = Int(slots[key.slot])
            return f < 0 ? nil : valueRange(f)
        }
        guard let f = fieldIndex(key) else { return nil }
        return valueRange(f)
    }

    /// The index of the field the first of `key`'s names that is present names (by name).
    @inline(__always)
    func fieldIndex(_ key: FieldKey) -> Int? {
        var found: Int? = nil
        key.forEachName { name in
            found = index(name)
            return found != nil
        }
        return found
    }

    @inline(__always)
    public func has(_ key: FieldKey) -> Bool { range(key) != nil }

    @inline(__always)
    public func unsigned(_ key: FieldKey) -> UInt64? {
        guard let r = number(key), !r.negative else { return nil }
        return r.magnitude
    }

    @inline(__always)
    public func signed(_ key: FieldKey) -> Int64? {
        guard let r = number(key) else { return nil }
        return Self.signedValue(r.magnitude, negative: r.negative)
    }

    /// The number `key`'s value holds (`Bytes.parseNumber`): after a load through a layout,
    /// the one read from the same bytes of the payload before when the field is one it shares.
    @inline(__always)
    func number(_ key: FieldKey) -> (magnitude: UInt64, negative: Bool)? {
        if let slots, let numbers, key.slot < slots.count {
            let f = Int(slots[key.slot])
            guard f >= 0 else { return nil }
            let (s, e) = valueRange(f)
            return numbers.number(f) {
                guard let r = Bytes.parseNumber(buffer, s, e) else { return nil }
                return (r.magnitude, r.negative)
            }
        }
        guard let (s, e) = range(key), let r = Bytes.parseNumber(buffer, s, e) else { return nil }
        return (r.magnitude, r.negative)
    }

    public func bytes(_ key: FieldKey) -> UnsafeRawBufferPointer? {
        guard let (s, e) = range(key) else { return nil }
        return UnsafeRawBufferPointer(rebasing: buffer[s..<e])
    }

    /// A number (`1`, `0x12`, `1(DATA)`) as it is; otherwise `|`-separated names OR'ed, nil when
    /// none is known.
    public func printedFlags(_ key: FieldKey, _ names: PrintedNames) -> UInt64? {
        guard let (s, e) = range(key) else { return nil }
        let p = buffer
        if s < e, Bytes.isDigit(p[s]), let r = Bytes.parseNumber(p, s, e), !r.negative { return r.magnitude }
        var value: UInt64 = 0
        var known = false
        var i = s
        while i < e {
            var j = i
            while j < e && p[j] != 0x7C { j += 1 }
            for entry in names.entries where Bytes.equals(p, i, j, entry.name) {
                value |= entry.value
                known = true
                break
            }
            i = j + 1
        }
        return known ? value : nil
    }

    public func flag(_ key: FieldKey) -> Bool? {
        guard let (s, e) = range(key) else { return nil }
        let p = buffer
        if s < e, Bytes.isDigit(p[s]), let r = Bytes.parseNumber(p, s, e) { return r.magnitude & key.flagFallbackMask != 0 }
        guard let name = key.flagName else { return nil }
        var i = s
        while i < e {
            var j = i
            while j < e && p[j] != 0x7C { j += 1 }
            if Bytes.equals(p, i, j, name) { return true }
            i = j + 1
        }
        return false
    }

    public func orderedExtentFlags(_ key: FieldKey, modernOrder: Bool) -> OrderedExtentFlags? {
        guard let (s, e) = range(key) else { return nil }
        // The same names decode to the same flags: kept per enum order (numbers differ by it).
        let recent = modernOrder ? recentModernFlags : recentLegacyFlags
        guard let memo = RecentValues<OrderedExtentFlags>.key(buffer, s, e) else {
            return OrderedExtentEvents.decodeFlags(buffer, s, e, modern: modernOrder)
        }
        if let flags = recent.value(memo) { return flags }
        let flags = OrderedExtentEvents.decodeFlags(buffer, s, e, modern: modernOrder)
        recent.insert(memo, flags)
        return flags
    }

    /// `func=finish_ordered_fn [btrfs]` names the symbol; `func=0xffffffffc0a1b2c0` (no kallsyms)
    /// names nothing.
    public func function(_ key: FieldKey) -> String? {
        guard let (s, e) = range(key), e > s else { return nil }
        let isAddress = Bytes.isDigit(buffer[s]) || (e - s > 2 && Bytes.matches(buffer, s, e, "0x"))
        return isAddress ? nil : Bytes.string(buffer, s, e)
    }

    public func register(_ key: FieldKey) -> Int64? {
        guard let (s, e) = range(key), let n = Bytes.parseNumber(buffer, s, e) else { return nil }
        // x64 printers give two's complement hex: 0xfffffffffffffff2 is -14 (EFAULT).
        if n.negative { return 0 &- Int64(bitPattern: n.magnitude) }
        if Bytes.matches(buffer, s, e, "0x"), e - s <= 10, n.magnitude >= 0x8000_0000 {
            return Int64(Int32(truncatingIfNeeded: n.magnitude))
        }
        return Int64(bitPattern: n.magnitude)
    }

    /// A parsed magnitude and sign as `Int64`: nil when a negative value does not fit; a huge
    /// unsigned is the two's complement rendering of hex printers.
    static func signedValue(_ magnitude: UInt64, negative: Bool) -> Int64? {
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            return magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
        }
        return Int64(bitPattern: magnitude)
    }
}
