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
        text = text.replacingOccurrences(of: "{{DFUNC}}", with: "([a-zA-Z0-9_]+)(?:\\.[a-zA-Z0-9_.]+)? \\([^ ()]+\\.[a-zA-Z]+:[0-9]+")
        text = text.replacingOccurrences(of: "{{SRC}}", with: "([a-zA-Z0-9\\-_/.]+\\.[a-z]+:[0-9]+)")
        text = text.replacingOccurrences(of: "{{TASK}}", with: "[\\s\\S]{0,100}?")
        source = text
        expression = try? NSRegularExpression(pattern: text, options: [])
    }

    /// First match in `subject` starting at UTF-16 offset `from`.
    func firstMatch(in subject: PatternSubject, from: Int = 0) -> PatternMatch? {
        guard let expression, from <= subject.length else { return nil }
        let range = NSRange(location: from, length: subject.length - from)
        guard let result = expression.firstMatch(in: subject.string, options: [], range: range) else { return nil }
        var groups: [String?] = []
        if result.numberOfRanges > 1 {
            for index in 1..<result.numberOfRanges {
                let groupRange = result.range(at: index)
                if groupRange.location == NSNotFound {
                    groups.append(nil)
                } else {
                    groups.append(subject.nsString.substring(with: groupRange))
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

/// A text converted once for repeated matching.
struct PatternSubject {
    let string: String
    let nsString: NSString
    var length: Int { nsString.length }

    init(_ string: String) {
        self.string = string
        self.nsString = NSString(string: string)
    }

    /// Substring between UTF-16 offsets.
    func text(from start: Int, to end: Int) -> String {
        let lower = max(0, min(start, length))
        let upper = max(lower, min(end, length))
        return nsString.substring(with: NSRange(location: lower, length: upper - lower))
    }

    /// UTF-16 offset of the first occurrence of `needle` at or after `from`, or nil.
    func offset(of needle: String, from: Int = 0) -> Int? {
        guard from <= length else { return nil }
        let range = nsString.range(of: needle, options: [], range: NSRange(location: from, length: length - from))
        return range.location == NSNotFound ? nil : range.location
    }
}

struct PatternMatch {
    var start: Int
    var end: Int
    var groups: [String?]
}
