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
/// Such continuation lines are joined to their line: each line break (LF or CRLF) becomes one space and
/// the joined line is padded with spaces to its old length, so the byte offsets of everything outside it
/// stay those of the input, and a CRLF log reads as its LF copy does. Only a line with a printk time is continued, by
/// unprefixed lines, while it has more `(` than `)` or when the next line opens the list with `(`, until
/// its parentheses balance (at most `maximumJoined` lines).
enum MailWrap {
    static let maximumJoined = 8

    /// The input with wrapped frame lines joined, or the input itself when nothing is wrapped.
    static func unwrapped(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
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
            var breaks: [Int] = []
            while breaks.count < maximumJoined, lineEnd < count {
                let next = lineEnd + 1
                var nextEnd = next
                while nextEnd < count, bytes[nextEnd] != ASCII.newline { nextEnd += 1 }
                // A blank line (also a CRLF one) ends the frame.
                let contentEnd = nextEnd > next && bytes[nextEnd - 1] == ASCII.carriageReturn ? nextEnd - 1 : nextEnd
                guard contentEnd > next, bytes[next] != ASCII.openBracket, bytes[next] != ASCII.less else { break }
                // Continue an open list, or start one: the mailer broke the line before its "(".
                guard depth > 0 || (breaks.isEmpty && bytes[next] == ASCII.openParen) else { break }
                breaks.append(lineEnd)
                depth += balance(bytes, from: next, to: nextEnd)
                lineEnd = nextEnd
            }
            if !breaks.isEmpty {
                if result.isEmpty { result = bytes }
                join(bytes, lineStart: lineStart, lineEnd: lineEnd, breaks: breaks, into: &result)
            }
            lineStart = lineEnd + 1
        }
        return result.isEmpty ? bytes : result
    }

    /// Writes `lineStart..<lineEnd` with each newline in `breaks` (and a CR before it) as one space,
    /// padded with spaces before the last line's own CR, if any.
    private static func join(_ bytes: [UInt8], lineStart: Int, lineEnd: Int, breaks: [Int], into output: inout [UInt8]) {
        let contentEnd = bytes[lineEnd - 1] == ASCII.carriageReturn ? lineEnd - 1 : lineEnd
        var joined: [UInt8] = []
        joined.reserveCapacity(contentEnd - lineStart)
        var position = lineStart
        for lineBreak in breaks {
            let end = lineBreak > position && bytes[lineBreak - 1] == ASCII.carriageReturn ? lineBreak - 1 : lineBreak
            joined.append(contentsOf: bytes[position..<end])
            joined.append(ASCII.space)
            position = lineBreak + 1
        }
        joined.append(contentsOf: bytes[position..<contentEnd])
        while joined.count < contentEnd - lineStart { joined.append(ASCII.space) }
        output.replaceSubrange(lineStart..<contentEnd, with: joined)
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
