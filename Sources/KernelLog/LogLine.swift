/// One line of a kernel log with its prefixes recognized (timestamp, caller id, syslog level,
/// syslog/journal host prefix) — byte offsets only, no copies.
struct LogLine {
    /// Byte range of the whole line, without the newline and a trailing `\r`.
    var start: Int
    var end: Int
    /// Where the message starts once prefixes are removed.
    var messageStart: Int
    var context: LineContext
    var timestamp: KernelTimestamp?
    /// An x86 `? func` or powerpc `(unreliable)` frame: not on the unwinder's reliable path.
    var questionable: Bool
    /// End of the message (differs from `end` when ` (unreliable)` was cut).
    var messageEnd: Int
}

/// Splits a log into `LogLine`s.
///
/// Accepted prefixes, outermost first: `** N printk messages dropped ** `, `… login: `, `<N>`,
/// `[ seconds.fraction]`, a caller id glued (`][ T12]`, console) or after a space (`] [ T12] `, util-linux
/// `dmesg`); `dmesg -T` `[Tue Nov 25 10:00:00 2025] `; ISO (`2025-11-25T10:00:00,123456+01:00 `);
/// syslog / `journalctl -k` (`Nov 25 10:00:00 host kernel: `), optionally followed by a printk time.
enum LogLineScanner {
    static func lines(in bytes: [UInt8]) -> [LogLine] {
        var result: [LogLine] = []
        result.reserveCapacity(bytes.count / 60 + 1)
        var position = 0
        let count = bytes.count
        while position < count {
            var end = position
            while end < count, bytes[end] != ASCII.newline { end += 1 }
            var lineEnd = end
            if lineEnd > position, bytes[lineEnd - 1] == ASCII.carriageReturn { lineEnd -= 1 }
            result.append(parse(bytes, start: position, end: lineEnd))
            position = end + 1
        }
        return result
    }

    static func parse(_ bytes: [UInt8], start lineStart: Int, end: Int) -> LogLine {
        var line = LogLine(start: lineStart, end: end, messageStart: lineStart, context: .none, timestamp: nil,
                           questionable: false, messageEnd: end)
        let start = quotedStart(bytes, start: lineStart, end: end)
        if start != lineStart { line.messageStart = start }
        if let console = consolePrefix(bytes, start: start, end: end) {
            line.context = console.caller.map { .caller($0) } ?? .console
            line.timestamp = console.timestamp
            // Like syzkaller: the message starts after the first "] " of the line.
            let closing = bytes.firstIndex(of: bracketSpace, from: start, to: end) ?? (console.messageStart - 2)
            line.messageStart = min(end, max(closing + 2, start))
            refineMessage(bytes, &line)
        } else if let outer = outerPrefix(bytes, start: start, end: end) {
            line.messageStart = outer
            line.context = .console
            if let console = consolePrefix(bytes, start: outer, end: end) {
                line.context = console.caller.map { .caller($0) } ?? .console
                line.timestamp = console.timestamp
                line.messageStart = console.messageStart
            }
            refineMessage(bytes, &line)
        }
        if line.context != .none { markQuestionable(bytes, &line) }
        return line
    }

    /// Where a line starts once mail quoting (`> `, `>> `) and the indentation of a pasted copy are
    /// removed. Indentation is removed only when a printk, syslog or `dmesg` prefix follows it, so the
    /// leading spaces of frame lines and continuation lines stay part of the message.
    static func quotedStart(_ bytes: [UInt8], start: Int, end: Int) -> Int {
        var position = start
        var quoted = false
        while position < end, position - start < 32 {
            let byte = bytes[position]
            if byte == ASCII.greater { quoted = true; position += 1; continue }
            if quoted, byte == ASCII.space || byte == ASCII.tab { position += 1; continue }
            break
        }
        var indented = position
        while indented < end, indented - position < 16, bytes[indented] == ASCII.space || bytes[indented] == ASCII.tab {
            indented += 1
        }
        if indented > position, indented < end {
            let next = bytes[indented]
            if next == ASCII.openBracket || next == ASCII.less || ASCII.isDigit(next) || ASCII.isLetter(next),
               consolePrefix(bytes, start: indented, end: end) != nil || outerPrefix(bytes, start: indented, end: end) != nil {
                return indented
            }
        }
        return position
    }

    private static let bracketSpace: [UInt8] = Array("] ".utf8)
    private static let droppedPrefix: [UInt8] = Array("** ".utf8)
    private static let droppedSuffix: [UInt8] = Array(" printk messages dropped ** ".utf8)
    private static let login: [UInt8] = Array(" login: ".utf8)
    private static let eoi: [UInt8] = Array("<EOI>".utf8)
    private static let questionMark: [UInt8] = Array(" ? ".utf8)
    private static let unreliable: [UInt8] = Array(" (unreliable)".utf8)
    private static let kernelTag: [UInt8] = Array(" kernel: ".utf8)
    private static let kernelTagStart: [UInt8] = Array("kernel: ".utf8)

    struct ConsolePrefix {
        /// Nil for the deltas of `dmesg --reltime` / `-H` (`[  +0.000008]`): they are not times since boot.
        var timestamp: KernelTimestamp?
        var caller: CallerID?
        var messageStart: Int
    }

    /// `^(** N printk messages dropped ** )?(.* login: )?(<N>)?\[ *N.N\](\[ *[CT]N\])? `
    static func consolePrefix(_ bytes: [UInt8], start: Int, end: Int) -> ConsolePrefix? {
        var base = start
        if bytes.hasPrefix(droppedPrefix, at: base, end: end), let digits = NumberScanner.decimal(bytes, at: base + 3, end: end),
           bytes.hasPrefix(droppedSuffix, at: digits.end, end: end) {
            base = digits.end + droppedSuffix.count
        }
        if let found = afterTime(bytes, at: base, end: end) { return found }
        // "<anything> login: " then the prefix; try each occurrence, last first like a greedy `.*`.
        var candidates: [Int] = []
        var search = base
        while let hit = bytes.firstIndex(of: login, from: search, to: end) {
            candidates.append(hit + login.count)
            search = hit + 1
        }
        for candidate in candidates.reversed() {
            if let found = afterTime(bytes, at: candidate, end: end) { return found }
        }
        return nil
    }

    /// `(<N>)?\[ *N.N\](\[ *[CT]N\])? ` at `index`.
    private static func afterTime(_ bytes: [UInt8], at index: Int, end: Int) -> ConsolePrefix? {
        var position = index
        if position < end, bytes[position] == ASCII.less {
            guard let level = NumberScanner.decimal(bytes, at: position + 1, end: end), level.end < end,
                  bytes[level.end] == ASCII.greater else { return nil }
            position = level.end + 1
        }
        guard let time = bracketedTime(bytes, at: position, end: end) else { return nil }
        position = time.end
        if position < end, bytes[position] == ASCII.openBracket,
           let caller = bracketedCaller(bytes, at: position, end: end), caller.end < end, bytes[caller.end] == ASCII.space {
            return ConsolePrefix(timestamp: time.timestamp, caller: caller.id, messageStart: caller.end + 1)
        }
        guard position < end, bytes[position] == ASCII.space else { return nil }
        return ConsolePrefix(timestamp: time.timestamp, caller: nil, messageStart: position + 1)
    }

    /// `[ *N.N]`, or the delta `[ *+N.N]` / `[ *+N,N]` of `dmesg --reltime` and `-H` (timestamp nil).
    static func bracketedTime(_ bytes: [UInt8], at index: Int, end: Int) -> (timestamp: KernelTimestamp?, end: Int)? {
        guard index < end, bytes[index] == ASCII.openBracket else { return nil }
        var position = index + 1
        while position < end, bytes[position] == ASCII.space { position += 1 }
        var delta = false
        if position < end, bytes[position] == ASCII.plus { delta = true; position += 1 }
        guard let whole = NumberScanner.decimal(bytes, at: position, end: end), whole.end < end,
              bytes[whole.end] == ASCII.dot || (delta && bytes[whole.end] == ASCII.comma) else { return nil }
        let fractionStart = whole.end + 1
        var fractionEnd = fractionStart
        var nanoseconds: UInt32 = 0
        while fractionEnd < end, ASCII.isDigit(bytes[fractionEnd]) {
            if fractionEnd - fractionStart < 9 { nanoseconds = nanoseconds * 10 + UInt32(bytes[fractionEnd] &- 0x30) }
            fractionEnd += 1
        }
        let digits = fractionEnd - fractionStart
        guard digits > 0, fractionEnd < end, bytes[fractionEnd] == ASCII.closeBracket else { return nil }
        var scale = min(digits, 9)
        while scale < 9 { nanoseconds *= 10; scale += 1 }
        if delta { return (nil, fractionEnd + 1) }
        let stamp = KernelTimestamp(seconds: whole.value ?? UInt64.max, nanoseconds: nanoseconds, fractionDigits: digits)
        return (stamp, fractionEnd + 1)
    }

    /// `[ *[CT]N]`
    static func bracketedCaller(_ bytes: [UInt8], at index: Int, end: Int) -> (id: CallerID, end: Int)? {
        guard index < end, bytes[index] == ASCII.openBracket else { return nil }
        var position = index + 1
        while position < end, bytes[position] == ASCII.space { position += 1 }
        guard position < end else { return nil }
        let kind: CallerID.Kind
        switch bytes[position] {
        case UInt8(ascii: "T"): kind = .task
        case UInt8(ascii: "C"): kind = .cpu
        default: return nil
        }
        guard let number = NumberScanner.decimal(bytes, at: position + 1, end: end), number.end < end,
              bytes[number.end] == ASCII.closeBracket else { return nil }
        let id = UInt32(exactly: number.value ?? UInt64.max) ?? UInt32.max
        return (CallerID(kind: kind, id: id), number.end + 1)
    }

    /// After the console prefix: a util-linux caller id (`[ T12] `) or a journal `host kernel: `.
    private static func refineMessage(_ bytes: [UInt8], _ line: inout LogLine) {
        let end = line.end
        if line.context == .console, let caller = bracketedCaller(bytes, at: line.messageStart, end: end),
           caller.end < end, bytes[caller.end] == ASCII.space {
            line.context = .caller(caller.id)
            line.messageStart = caller.end + 1
        }
        // "[  123.456789] kernel: message" (journalctl -k -o short-monotonic without a host, some syslogs).
        if bytes.hasPrefix(kernelTagStart, at: line.messageStart, end: end) {
            line.messageStart += kernelTagStart.count
            return
        }
        // journalctl -o short-monotonic: "[  123.456789] host kernel: message"
        var position = line.messageStart
        while position < end, position - line.messageStart < 64, bytes[position] != ASCII.space { position += 1 }
        if position > line.messageStart, bytes.hasPrefix(kernelTag, at: position, end: end) {
            line.messageStart = position + kernelTag.count
        }
    }

    private static func markQuestionable(_ bytes: [UInt8], _ line: inout LogLine) {
        let start = line.messageStart
        let end = line.end
        if bytes.contains(eoi, from: start, to: end) { return }
        if bytes.contains(questionMark, from: start, to: end) {
            line.questionable = true
        } else if end - start >= unreliable.count, bytes.hasPrefix(unreliable, at: end - unreliable.count, end: end) {
            line.questionable = true
        }
    }

    // MARK: - Outer prefixes (syslog, journal, dmesg -T, ISO, bare <N>)

    private static let months: [[UInt8]] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                            "Nov", "Dec"].map { Array($0.utf8) }
    private static let weekdays: [[UInt8]] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map { Array($0.utf8) }

    /// Returns where the message (or an inner printk prefix) starts.
    static func outerPrefix(_ bytes: [UInt8], start: Int, end: Int) -> Int? {
        if let syslog = syslogPrefix(bytes, start: start, end: end) { return syslog }
        if let iso = isoPrefix(bytes, start: start, end: end) { return iso }
        if let human = humanTimePrefix(bytes, start: start, end: end) { return human }
        // Bare syslog level: "<4>message".
        if start < end, bytes[start] == ASCII.less, let level = NumberScanner.decimal(bytes, at: start + 1, end: end),
           level.end < end, bytes[level.end] == ASCII.greater, level.end - start <= 4 {
            return level.end + 1
        }
        return nil
    }

    /// `hh:mm:ss` at index; returns the end.
    private static func clock(_ bytes: [UInt8], at index: Int, end: Int) -> Int? {
        guard end - index >= 8 else { return nil }
        for offset in [0, 1, 3, 4, 6, 7] where !ASCII.isDigit(bytes[index + offset]) { return nil }
        guard bytes[index + 2] == ASCII.colon, bytes[index + 5] == ASCII.colon else { return nil }
        return index + 8
    }

    /// `Nov 25 10:00:00 host tag: ` → index after the tag. Accepts `tag[pid]:`.
    private static func syslogPrefix(_ bytes: [UInt8], start: Int, end: Int) -> Int? {
        guard end - start > 16, months.contains(where: { bytes.hasPrefix($0, at: start, end: end) }),
              bytes[start + 3] == ASCII.space else { return nil }
        var position = start + 4
        if bytes[position] == ASCII.space { position += 1 }
        guard let day = NumberScanner.decimal(bytes, at: position, end: end), day.end < end,
              bytes[day.end] == ASCII.space, var after = clock(bytes, at: day.end + 1, end: end) else { return nil }
        // Optional fraction (short-precise): ".123456"
        if after < end, bytes[after] == ASCII.dot, let fraction = NumberScanner.decimal(bytes, at: after + 1, end: end) {
            after = fraction.end
        }
        return hostAndTag(bytes, at: after, end: end)
    }

    /// ` host tag: ` after a date; the tag must end with `:`.
    private static func hostAndTag(_ bytes: [UInt8], at index: Int, end: Int) -> Int? {
        guard index < end, bytes[index] == ASCII.space else { return nil }
        var position = index + 1
        while position < end, bytes[position] != ASCII.space { position += 1 }   // host
        guard position < end else { return nil }
        let tagStart = position + 1
        position = tagStart
        while position < end, bytes[position] != ASCII.space { position += 1 }   // tag:
        guard position > tagStart, bytes[position - 1] == ASCII.colon else { return nil }
        // rsyslog may add a facility token before the tag ("kern.err kernel:").
        return min(end, position + 1)
    }

    /// `2025-11-25T10:00:00[,.]fraction[+-]zone ` optionally followed by `host kernel: `.
    private static func isoPrefix(_ bytes: [UInt8], start: Int, end: Int) -> Int? {
        guard end - start > 20 else { return nil }
        for offset in [0, 1, 2, 3, 5, 6, 8, 9] where !ASCII.isDigit(bytes[start + offset]) { return nil }
        guard bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
              bytes[start + 10] == UInt8(ascii: "T") || bytes[start + 10] == ASCII.space,
              clock(bytes, at: start + 11, end: end) != nil else { return nil }
        var position = start + 19
        while position < end, bytes[position] != ASCII.space { position += 1 }
        guard position < end else { return nil }
        if let tagged = hostAndTag(bytes, at: position, end: end) {
            let tagEnd = tagged
            // Only treat it as "host tag:" when the tag is "kernel:".
            if tagEnd - 8 >= position, bytes.hasPrefix(Array("kernel: ".utf8), at: tagEnd - 8, end: end) ||
                bytes.hasPrefix(Array("kernel:".utf8), at: tagEnd - 7, end: end) {
                return tagEnd
            }
        }
        return position + 1
    }

    /// `dmesg -T`: `[Tue Nov 25 10:00:00 2025] `; `dmesg -H`: `[Nov25 10:00] ` (the line that opens a
    /// minute; the others carry `[  +0.000008]` deltas).
    private static func humanTimePrefix(_ bytes: [UInt8], start: Int, end: Int) -> Int? {
        guard end - start > 12, bytes[start] == ASCII.openBracket,
              weekdays.contains(where: { bytes.hasPrefix($0, at: start + 1, end: end) })
                || months.contains(where: { bytes.hasPrefix($0, at: start + 1, end: end) }) else { return nil }
        var position = start + 1
        while position < end, position - start < 40, bytes[position] != ASCII.closeBracket { position += 1 }
        guard position + 1 < end, bytes[position] == ASCII.closeBracket, bytes[position + 1] == ASCII.space,
              bytes.firstIndex(of: [ASCII.colon], from: start, to: position) != nil else {
            return nil
        }
        return position + 2
    }
}
