/// Undoes the line wrapping of mailers on pasted call traces.
///
/// A decode_stacktrace.sh frame wrapped by a mailer leaves its `(file:line …)` list open on a line that
/// carries a printk time and continues on lines without one:
///
/// ```
/// [   89.344218] process_one_work
/// (/cfsetup_build/./arch/x86/include/asm/preempt.h:26
/// /cfsetup_build/kernel/workqueue.c:2284)
/// ```
///
/// Such continuation lines are joined to their line by turning the newline into a space, so the byte
/// offsets of everything else stay those of the input. Only a line with a printk time is continued, by
/// unprefixed lines, while it has more `(` than `)` or when the next line opens the list with `(`, until
/// its parentheses balance (at most `maximumJoined` lines).
enum MailWrap {
    static let maximumJoined = 8

    /// The input with wrapped frame lines joined, or the input itself when nothing is wrapped.
    static func unwrapped(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8]?
        var lineStart = 0
        let count = bytes.count
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count, bytes[lineEnd] != ASCII.newline { lineEnd += 1 }
            guard lineEnd < count, LogLineScanner.bracketedTime(bytes, at: lineStart, end: lineEnd) != nil else {
                lineStart = lineEnd + 1
                continue
            }
            var depth = balance(bytes, from: lineStart, to: lineEnd)
            var joined = 0
            while joined < maximumJoined, lineEnd < count {
                let next = lineEnd + 1
                var nextEnd = next
                while nextEnd < count, bytes[nextEnd] != ASCII.newline { nextEnd += 1 }
                guard nextEnd > next, bytes[next] != ASCII.openBracket, bytes[next] != ASCII.less else { break }
                // Continue an open list, or start one: the mailer broke the line before its "(".
                guard depth > 0 || (joined == 0 && bytes[next] == ASCII.openParen) else { break }
                if result == nil { result = bytes }
                result?[lineEnd] = ASCII.space
                depth += balance(bytes, from: next, to: nextEnd)
                joined += 1
                lineEnd = nextEnd
            }
            lineStart = lineEnd + 1
        }
        return result ?? bytes
    }

    /// `(` minus `)` in a range.
    private static func balance(_ bytes: [UInt8], from: Int, to: Int) -> Int {
        var depth = 0
        for index in from..<to {
            if bytes[index] == ASCII.openParen { depth += 1 } else if bytes[index] == ASCII.closeParen { depth -= 1 }
        }
        return depth
    }
}
