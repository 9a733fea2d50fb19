/// Small byte-level helpers for the line scanner (no `String` per line, no regex).
enum ASCII {
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let less: UInt8 = 0x3C
    static let greater: UInt8 = 0x3E
    static let dot: UInt8 = 0x2E
    static let colon: UInt8 = 0x3A
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let zero: UInt8 = 0x30

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- 0x61 < 6
    }
    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt64? {
        if isDigit(byte) { return UInt64(byte &- 0x30) }
        let lower = byte | 0x20
        if lower &- 0x61 < 6 { return UInt64(lower &- 0x61 &+ 10) }
        return nil
    }
    /// Characters of C/Rust symbol names as printed by kallsyms (including `.isra.0`, `$`).
    @inline(__always) static func isSymbolByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || isLetter(byte) || byte == 0x5F || byte == dot || byte == 0x24
    }
}

extension Array where Element == UInt8 {
    /// Index of `needle` in `self[from..<to]`.
    func firstIndex(of needle: [UInt8], from: Int, to: Int) -> Int? {
        let count = needle.count
        guard count > 0, to - from >= count, let first = needle.first else { return nil }
        var index = from
        let last = to - count
        while index <= last {
            if self[index] == first {
                var matched = true
                var offset = 1
                while offset < count {
                    if self[index + offset] != needle[offset] { matched = false; break }
                    offset += 1
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    func contains(_ needle: [UInt8], from: Int, to: Int) -> Bool {
        firstIndex(of: needle, from: from, to: to) != nil
    }

    func hasPrefix(_ prefix: [UInt8], at index: Int, end: Int) -> Bool {
        guard end - index >= prefix.count else { return false }
        var offset = 0
        while offset < prefix.count {
            if self[index + offset] != prefix[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Decodes `self[from..<to]` as UTF-8, replacing invalid sequences.
    func text(from: Int, to: Int) -> String {
        guard from < to else { return "" }
        return String(decoding: self[from..<to], as: UTF8.self)
    }
}

/// Overflow-safe number scanning over a byte range.
struct NumberScanner {
    /// Parses decimal digits at `index`; returns value (nil on overflow) and end index. Needs ≥1 digit.
    static func decimal(_ bytes: [UInt8], at index: Int, end: Int) -> (value: UInt64?, end: Int)? {
        var position = index
        var value: UInt64? = 0
        while position < end, ASCII.isDigit(bytes[position]) {
            if let current = value {
                let (times, o1) = current.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(bytes[position] &- 0x30))
                value = (o1 || o2) ? nil : sum
            }
            position += 1
        }
        return position == index ? nil : (value, position)
    }

    /// Parses hex digits at `index` (no prefix); value nil on overflow.
    static func hex(_ bytes: [UInt8], at index: Int, end: Int) -> (value: UInt64?, end: Int)? {
        var position = index
        var value: UInt64? = 0
        while position < end, let digit = ASCII.hexValue(bytes[position]) {
            if let current = value {
                value = current > (UInt64.max >> 4) ? nil : (current << 4) | digit
            }
            position += 1
        }
        return position == index ? nil : (value, position)
    }
}

extension StringProtocol {
    /// Overflow-safe hex parse with optional `0x`.
    func parseHex() -> UInt64? {
        var text = Substring(self)
        if text.hasPrefix("0x") || text.hasPrefix("0X") { text = text.dropFirst(2) }
        guard !text.isEmpty, text.count <= 16 else { return nil }
        return UInt64(text, radix: 16)
    }
}
