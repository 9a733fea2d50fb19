// The only file of KernelLog that imports Foundation: regular expressions for the title table.
// Title rules are matched once per report (never per log line), so ICU's engine is fast enough.
import Foundation

/// A compiled regular expression (ICU syntax, close to RE2 for the constructs the title table uses).
///
/// Macros expanded at compile time: `{{ADDR}}`, `{{PC}}`, `{{FUNC}}` (captures a symbol name),
/// `{{DFUNC}}` (a decode_stacktrace.sh frame), `{{SRC}}` (captures `path/file.c:123`) and `{{TASK}}`.
final class Pattern: @unchecked Sendable {
    private let expression: NSRegularExpression?
    let source: String

    init(_ pattern: String) {
        var text = pattern
        text = text.replacingOccurrences(of: "{{ADDR}}", with: "0x[0-9a-f]+")
        text = text.replacingOccurrences(of: "{{PC}}", with: "\\[\\<?(?:0x)?[0-9a-f]+\\>?\\]")
        text = text.replacingOccurrences(of: "{{FUNC}}", with: "([a-zA-Z0-9_]+)(?:\\.|\\+)")
        // decode_stacktrace.sh's `func (file:line …)`, the offset replaced by source locations.
        text = text.replacingOccurrences(of: "{{DFUNC}}", with: "([a-zA-Z0-9_]+)(?:\\.[a-zA-Z0-9_.]+)? +\\([^ ()]+\\.[a-zA-Z]+:[0-9]+")
        text = text.replacingOccurrences(of: "{{SRC}}", with: "([a-zA-Z0-9\\-_/.]+\\.[a-z]+:[0-9]+)")
        text = text.replacingOccurrences(of: "{{TASK}}", with: "[\\s\\S]{0,100}?")
        source = text
        expression = try? NSRegularExpression(pattern: text, options: [])
        // Inline flags (case-insensitive matching) make a literal search wrong: no prefilter then.
        requiredLiteral = text.contains("(?i") ? [] : RequiredLiteral.longest(in: text)
    }

    /// Bytes every match contains (the longest literal run outside groups, classes and optional parts);
    /// a subject without them is rejected by a byte search before the regular expression runs.
    let requiredLiteral: [UInt8]

    /// First match in `subject` starting at UTF-16 offset `from`.
    func firstMatch(in subject: PatternSubject, from: Int = 0) -> PatternMatch? {
        guard let expression, from <= subject.length else { return nil }
        if requiredLiteral.count >= 3, !RequiredLiteral.occurs(requiredLiteral, in: subject.utf8) { return nil }
        let range = NSRange(location: from, length: subject.length - from)
        guard let result = expression.firstMatch(in: subject.string, options: [], range: range) else { return nil }
        var groups: [String?] = []
        if result.numberOfRanges > 1 {
            for index in 1..<result.numberOfRanges {
                let groupRange = result.range(at: index)
                if groupRange.location == NSNotFound {
                    groups.append(nil)
                } else {
                    groups.append(subject.text(from: groupRange.location, to: groupRange.location + groupRange.length))
                }
            }
        }
        return PatternMatch(start: result.range.location, end: result.range.location + result.range.length, groups: groups)
    }

    func firstMatch(in text: String) -> PatternMatch? {
        firstMatch(in: PatternSubject(text))
    }

    func matches(_ text: String) -> Bool {
        firstMatch(in: PatternSubject(text)) != nil
    }

    /// Replaces every match; `$1`… in `template` refer to groups.
    func replacingAll(in text: String, with template: String) -> String {
        guard let expression else { return text }
        let ns = NSString(string: text)
        return expression.stringByReplacingMatches(in: text, options: [], range: NSRange(location: 0, length: ns.length),
                                                   withTemplate: template)
    }
}

/// A text converted once for repeated matching. ASCII text (nearly every kernel log) is sliced and
/// searched as bytes; an `NSString` is made only for text with other characters.
struct PatternSubject {
    let string: String
    /// The text's bytes, for the required-literal search.
    let utf8: [UInt8]
    /// True when every byte is ASCII: UTF-16 offsets are then byte offsets.
    let isASCII: Bool
    /// Length in UTF-16 code units (the unit of `NSRegularExpression` ranges).
    let length: Int
    private let nsString: NSString?

    init(_ string: String) {
        self.string = string
        utf8 = Array(string.utf8)
        isASCII = utf8.allSatisfy { $0 < 0x80 }
        nsString = isASCII ? nil : NSString(string: string)
        length = nsString?.length ?? utf8.count
    }

    /// Substring between UTF-16 offsets (Foundation's substring transcodes UTF-16 and dominated the
    /// decoding time of warning storms; ASCII text is sliced from its bytes).
    func text(from start: Int, to end: Int) -> String {
        let lower = max(0, min(start, length))
        let upper = max(lower, min(end, length))
        guard let nsString else { return String(decoding: utf8[lower..<upper], as: UTF8.self) }
        return nsString.substring(with: NSRange(location: lower, length: upper - lower))
    }

    /// UTF-16 offset of the first occurrence of `needle` at or after `from`, or nil.
    func offset(of needle: String, from: Int = 0) -> Int? {
        guard from <= length else { return nil }
        guard let nsString else {
            return utf8.firstIndex(of: Array(needle.utf8), from: from, to: utf8.count)
        }
        let range = nsString.range(of: needle, options: [], range: NSRange(location: from, length: length - from))
        return range.location == NSNotFound ? nil : range.location
    }
}

struct PatternMatch {
    var start: Int
    var end: Int
    var groups: [String?]
}

/// Finds a literal that every match of an (ICU) regular expression must contain.
enum RequiredLiteral {
    /// Whether `literal` occurs in `bytes`: `memchr` to each candidate first byte, then `memcmp`.
    static func occurs(_ literal: [UInt8], in bytes: [UInt8]) -> Bool {
        guard let first = literal.first, bytes.count >= literal.count else { return false }
        return bytes.withUnsafeBytes { haystack in
            literal.withUnsafeBytes { needle in
                guard let base = haystack.baseAddress, let needleBase = needle.baseAddress else { return false }
                var offset = 0
                let last = haystack.count - needle.count
                while offset <= last {
                    guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return false }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + position, needleBase, needle.count) == 0 { return true }
                    offset = position + 1
                }
                return false
            }
        }
    }

    /// The longest run of literal characters at the top level of `pattern`: not inside a group or a class,
    /// not made optional by `?`, `*` or `{`; nothing when the pattern has a top-level alternation.
    static func longest(in pattern: String) -> [UInt8] {
        let bytes = Array(pattern.utf8)
        var best: [UInt8] = []
        var run: [UInt8] = []
        func close() {
            if run.count > best.count { best = run }
            run = []
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "|"):
                return []
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return best }
                let next = bytes[index + 1]
                if ".[](){}*+?^$|\\/-:#<>!=\"' ".utf8.contains(next) {
                    run.append(next)
                } else {
                    close()
                }
                index += 2
                continue
            case UInt8(ascii: "("), UInt8(ascii: "["):
                close()
                index = skipGroup(bytes, from: index)
                continue
            case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"):
                close()
            case UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "{"):
                if !run.isEmpty { run.removeLast() }
                close()
                if byte == UInt8(ascii: "{") {
                    while index < bytes.count, bytes[index] != UInt8(ascii: "}") { index += 1 }
                }
            case UInt8(ascii: "+"):
                close()
            default:
                run.append(byte)
            }
            index += 1
        }
        close()
        return best
    }

    /// Index after the group or class opening at `start` (nested groups, escapes and classes skipped).
    private static func skipGroup(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0
        var index = start
        var inClass = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") { index += 2; continue }
            if inClass {
                if byte == UInt8(ascii: "]") { inClass = false; if depth == 0 { return index + 1 } }
            } else if byte == UInt8(ascii: "[") {
                inClass = true
            } else if byte == UInt8(ascii: "(") {
                depth += 1
            } else if byte == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 { return index + 1 }
            }
            index += 1
        }
        return index
    }
}
