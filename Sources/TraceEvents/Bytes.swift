/// Byte-level helpers for the hot path. All functions are bounds-checked against `end` and
/// overflow-safe: numbers that do not fit in 64 bits fail instead of wrapping.
@usableFromInline
internal enum Bytes {
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
    @inline(__always) static func hexValue(_ c: UInt8) -> UInt64? {
        if c &- 0x30 < 10 { return UInt64(c &- 0x30) }
        let l = c | 0x20
        if l &- 0x61 < 6 { return UInt64(l &- 0x61 &+ 10) }
        return nil
    }

    /// Parses unsigned decimal digits starting at `i`. Returns the value and the index after the
    /// last digit, or nil if there is no digit or the value overflows.
    @inline(__always)
    static func parseDecimal(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> (UInt64, Int)? {
        var j = i
        var v: UInt64 = 0
        while j < end {
            let d = p[j] &- 0x30
            if d >= 10 { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = a
            j += 1
        }
        return j == i ? nil : (v, j)
    }

    /// At most nine decimal digits at `i`, which cannot overflow, so read without overflow checks
    /// (the context columns of event lines): the value and the index after the digits (`i` when
    /// there are none), nil at a tenth digit.
    @inline(__always)
    static func parseShortDecimal(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> (UInt64, Int)? {
        var j = i
        var v: UInt64 = 0
        while j < end {
            let d = p[j] &- 0x30
            if d >= 10 { break }
            v = v &* 10 &+ UInt64(d)
            j += 1
            if j - i > 9 { return nil }
        }
        return (v, j)
    }

    /// Parses `0x`-prefixed hex, or decimal, with an optional leading `-` (returned as negative flag).
    static func parseNumber(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> (magnitude: UInt64, negative: Bool, next: Int)? {
        var j = i
        var negative = false
        if j < end && p[j] == 0x2D { negative = true; j += 1 } else if j < end && p[j] == 0x2B { j += 1 }
        if j + 1 < end && p[j] == 0x30 && (p[j + 1] | 0x20) == 0x78 {
            var k = j + 2
            var v: UInt64 = 0
            while k < end, let h = hexValue(p[k]) {
                if v > (UInt64.max >> 4) { return nil }
                v = (v << 4) | h
                k += 1
            }
            return k == j + 2 ? nil : (v, negative, k)
        }
        guard let (v, k) = parseDecimal(p, j, end) else { return nil }
        return (v, negative, k)
    }

    /// Parses bare hex digits (no prefix).
    static func parseHex(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> (UInt64, Int)? {
        var k = i
        var v: UInt64 = 0
        while k < end, let h = hexValue(p[k]) {
            if v > (UInt64.max >> 4) { return nil }
            v = (v << 4) | h
            k += 1
        }
        return k == i ? nil : (v, k)
    }

    @inline(__always)
    static func skipSpaces(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Int {
        var j = i
        while j < end && isSpace(p[j]) { j += 1 }
        return j
    }

    /// `skipSpaces` over a run of blanks eight bytes at a time: the padding of the ftrace context
    /// columns (a comm right-aligned in 16 columns, the pid left-aligned, the timestamp in 12)
    /// runs to several spaces. Tabs and the tail are left to `skipSpaces`, so the result is its.
    @inline(__always)
    static func skipSpaceRun(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Int {
        var j = i
        while j + 8 <= end {
            let m = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self)) ^ 0x2020_2020_2020_2020
            if m != 0 {
                j += m.trailingZeroBitCount >> 3
                break
            }
            j += 8
        }
        return skipSpaces(p, j, end)
    }

    /// The end of `p[lower..<i]` without its trailing blanks (spaces eight bytes at a time).
    @inline(__always)
    static func trimSpacesBackward(_ p: UnsafeRawBufferPointer, lower: Int, _ i: Int) -> Int {
        var e = i
        while e - 8 >= lower {
            let m = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: e - 8, as: UInt64.self)) ^ 0x2020_2020_2020_2020
            if m != 0 {
                e -= m.leadingZeroBitCount >> 3
                break
            }
            e -= 8
        }
        while e > lower && isSpace(p[e - 1]) { e -= 1 }
        return e
    }

    @inline(__always)
    static func skipToSpace(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Int {
        var j = i
        while j + 8 <= end {
            let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let m = bytes(of: w, equalTo: 0x20) | bytes(of: w, equalTo: 0x09)
            if m != 0 { return j + m.trailingZeroBitCount >> 3 }
            j += 8
        }
        while j < end && !isSpace(p[j]) { j += 1 }
        return j
    }

    /// The first of `=`, space or tab at or after `i`, else `end`.
    @inline(__always)
    static func skipToEqualsOrSpace(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Int {
        var j = i
        while j + 8 <= end {
            let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let m = bytes(of: w, equalTo: 0x3D) | bytes(of: w, equalTo: 0x20) | bytes(of: w, equalTo: 0x09)
            if m != 0 { return j + m.trailingZeroBitCount >> 3 }
            j += 8
        }
        while j < end && p[j] != 0x3D && !isSpace(p[j]) { j += 1 }
        return j
    }

    /// High bit set in each byte of `w` (little-endian) that equals `c`. Bytes above the first
    /// match may be set falsely (a borrow), so only the lowest set bit is meaningful, and it is exact.
    @inline(__always)
    static func bytes(of w: UInt64, equalTo c: UInt8) -> UInt64 {
        let x = w ^ (0x0101010101010101 &* UInt64(c))
        return (x &- 0x0101010101010101) & ~x & 0x8080808080808080
    }

    /// True when the bytes at `i` equal `literal`.
    @inline(__always)
    static func matches(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        if i + n > end { return false }
        let lit = literal.utf8Start
        var k = 0
        while k < n {
            if p[i + k] != lit[k] { return false }
            k += 1
        }
        return true
    }

    /// The eight bytes at `i` as a little-endian word (`i + 8 <= p.count`).
    @inline(__always)
    static func word(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    /// True when `literal` occurs in `p[start..<end]`.
    static func contains(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        var k = start
        while k + n <= end {
            if matches(p, k, end, literal) { return true }
            k += 1
        }
        return false
    }

    /// True when `p[start..<end]` is exactly `literal`.
    @inline(__always)
    static func equals(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        end - start == literal.utf8CodeUnitCount && matches(p, start, end, literal)
    }

    /// True when `bytes` is exactly `literal`.
    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        equals(bytes, 0, bytes.count, literal)
    }

    static func string(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        if start >= end { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
    }

    /// Hash of an event name, eight bytes at a time (names are interned by it).
    @inline(__always)
    static func nameHash(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UInt64 {
        var h: UInt64 = 0x9E3779B97F4A7C15 ^ UInt64(end - start)
        var i = start
        while i + 8 <= end {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xff51afd7ed558ccd
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        if i < end && i + 8 <= p.count {
            // The rest in one load, the bytes past `end` masked off (same value as byte by byte).
            tail = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) & ((1 << UInt64((end - i) * 8)) &- 1)
        } else {
            var shift: UInt64 = 0
            while i < end {
                tail |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
        }
        h = (h ^ tail) &* 0xc4ceb9fe1a85ec53
        return h ^ (h >> 32)
    }
}
