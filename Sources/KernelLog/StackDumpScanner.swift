/// Finds the call traces of a log that no report holds (see `StackDump`).
///
/// A trace starts at a `Call Trace:` / `Call trace:` / `Backtrace:` line and runs over the following lines
/// of the same context (caller id or plain console; lines of other callers are skipped) while they are
/// frames, stack markers (`<TASK>`, `<IRQ>`…), trap or register lines, `Code:` lines or `(inlined by)` lines.
/// Its owner is the nearest task or CPU line in the few lines before it: `task:NAME state:D … pid:N`
/// (5.14+), the older `NAME D 0 949 2 0x80004000` of `sched_show_task`, `CPU: N PID: N Comm: NAME`
/// (`dump_stack`, `show_regs`) or `NMI backtrace for cpu N`.
enum StackDumpScanner {
    /// Lines looked at before a trace for its owner.
    static let ownerWindow = 8
    /// Lines of other contexts skipped inside one trace before it is closed.
    static let interleaveLimit = 400

    static func dumps(in bytes: [UInt8], lines: [LogLine], reportLines: Set<Int>) -> [StackDump] {
        var dumps: [StackDump] = []
        var index = 0
        var lastEnd = -1
        while index < lines.count {
            defer { index += 1 }
            let line = lines[index]
            guard isTraceStart(bytes, line), !reportLines.contains(index) else { continue }
            let owner = ownerLine(bytes, lines, before: index, notBefore: lastEnd + 1)
            var members = Array((owner ?? index)..<index).filter { lines[$0].context == line.context }
            members.append(index)
            var cursor = index + 1
            var skipped = 0
            while cursor < lines.count, skipped < interleaveLimit {
                let next = lines[cursor]
                if next.context != line.context { skipped += 1; cursor += 1; continue }
                guard !reportLines.contains(cursor), isTraceLine(bytes, next) else { break }
                members.append(cursor)
                cursor += 1
            }
            var assembler = ReportAssembler()
            for member in members { assembler.consume(lines[member], bytes: bytes) }
            let headerText = owner.map { lines[$0].message(bytes) }
            let built = assembler.build(header: "")
            lastEnd = members.last ?? index
            index = lastEnd
            guard built.frames.contains(where: { !$0.isTrapPC }) else { continue }
            var dump = StackDump(header: headerText, frames: built.frames, startOffset: lines[members[0]].start,
                                 endOffset: lines[lastEnd].end)
            dump.comm = built.comm
            dump.pid = built.pid
            dump.cpu = built.cpu
            dump.timestamp = lines[members[0]].timestamp
            if case .caller(let caller) = line.context { dump.caller = caller }
            if let headerText { TaskLine.apply(headerText, to: &dump) }
            dumps.append(dump)
        }
        return dumps
    }

    private static let traceStarts: [[UInt8]] = ["Call Trace:", "Call trace:", "Backtrace:"].map { Array($0.utf8) }

    static func isTraceStart(_ bytes: [UInt8], _ line: LogLine) -> Bool {
        var start = line.messageStart
        while start < line.end, bytes[start] == ASCII.space || bytes[start] == ASCII.tab { start += 1 }
        return traceStarts.contains { bytes.hasPrefix($0, at: start, end: line.end) }
    }

    private static let traceLinePrefixes: [[UInt8]] = ["RIP: ", "EIP: ", "pc : ", "lr : ", "sp : ", "Code: ", "(inlined by) ",
                                                        "NIP [", "LR [", "---"].map { Array($0.utf8) }

    static func isTraceLine(_ bytes: [UInt8], _ line: LogLine) -> Bool {
        let end = line.messageEnd
        var start = line.messageStart
        while start < end, bytes[start] == ASCII.space || bytes[start] == ASCII.tab { start += 1 }
        guard start < end else { return false }
        if FrameLineParser.parse(bytes, start: start, end: end) != nil { return true }
        if traceLinePrefixes.contains(where: { bytes.hasPrefix($0, at: start, end: end) }) { return true }
        return isRegisterLine(bytes, start: start, end: end)
    }

    /// `RSP: 002b:00007ffc… EFLAGS: 00000202 ORIG_RAX: …`, `RAX: ffff… RBX: …`, `x29: … x28: …`.
    static func isRegisterLine(_ bytes: [UInt8], start: Int, end: Int) -> Bool {
        var position = start
        while position < end, position - start <= 8, ASCII.isLetter(bytes[position]) || ASCII.isDigit(bytes[position])
                || bytes[position] == UInt8(ascii: "_") {
            position += 1
        }
        guard position > start, position < end else { return false }
        if bytes[position] == ASCII.space, position + 1 < end, bytes[position + 1] == ASCII.colon { position += 1 }
        guard bytes[position] == ASCII.colon, position + 1 < end, bytes[position + 1] == ASCII.space else { return false }
        position += 2
        while position < end, bytes[position] == ASCII.space { position += 1 }
        let digits = position
        while position < end, ASCII.isHexDigit(bytes[position]) { position += 1 }
        return position - digits >= 4
    }

    private static let registerDumpPrefixes: [[UInt8]] = ["FS: ", "CS: ", "CR2: ", "PKRU: ", "DR0: ", "DR3: ", "DR6: ",
                                                           "Hardware name: ", "Workqueue: "].map { Array($0.utf8) }

    /// The other lines of a `show_regs` dump (segment, control and debug registers, hardware, workqueue).
    static func isRegisterDump(_ bytes: [UInt8], _ line: LogLine) -> Bool {
        var start = line.messageStart
        while start < line.messageEnd, bytes[start] == ASCII.space { start += 1 }
        return registerDumpPrefixes.contains { bytes.hasPrefix($0, at: start, end: line.messageEnd) }
    }

    /// The nearest task/CPU line before `index` (same context, not before `notBefore`, no frame in between).
    private static func ownerLine(_ bytes: [UInt8], _ lines: [LogLine], before index: Int, notBefore: Int) -> Int? {
        let context = lines[index].context
        var cursor = index - 1
        var seen = 0
        while cursor >= notBefore, cursor >= 0, seen < ownerWindow {
            let line = lines[cursor]
            cursor -= 1
            guard line.context == context else { continue }
            // show_regs' register, flag and Code: lines sit between a CPU line and its trace.
            if !isTraceLine(bytes, line) && !isRegisterDump(bytes, line) { seen += 1 }
            let text = line.message(bytes)
            if TaskLine.isOwner(text) {
                // "NMI backtrace for cpu 1" heads the "CPU: 1 PID: …" line that follows it.
                var owner = cursor + 1
                var previous = owner - 1
                while previous >= max(notBefore, 0), owner - previous <= 3 {
                    if lines[previous].context == context,
                       lines[previous].message(bytes).drop(while: { $0 == " " }).hasPrefix("NMI backtrace for cpu ") {
                        owner = previous
                        break
                    }
                    previous -= 1
                }
                return owner
            }
            if isTraceStart(bytes, line) { return nil }
        }
        return nil
    }
}

/// The lines that name a stack's owner.
enum TaskLine {
    static func isOwner(_ text: String) -> Bool {
        let trimmed = text.drop { $0 == " " }
        return trimmed.hasPrefix("task:") || trimmed.hasPrefix("CPU: ") || trimmed.hasPrefix("NMI backtrace for cpu ")
            || oldTaskLine(Substring(trimmed)) != nil
    }

    static func apply(_ text: String, to dump: inout StackDump) {
        let trimmed = Substring(text.drop { $0 == " " })
        if trimmed.hasPrefix("task:") {
            let body = trimmed.dropFirst(5)
            if let state = body.range(of: " state:") {
                dump.comm = String(body[..<state.lowerBound].trimmingSpaces)
                let after = body[state.upperBound...]
                dump.state = after.hasPrefix("R  running") || after.hasPrefix("R running") ? "R"
                    : after.split(separator: " ").first.map(String.init)
            }
            dump.pid = field("pid:", in: body) ?? dump.pid
            dump.parentPID = field("ppid:", in: body)
        } else if trimmed.hasPrefix("NMI backtrace for cpu ") {
            dump.cpu = Int(trimmed.dropFirst("NMI backtrace for cpu ".count).prefix { $0.isNumber }) ?? dump.cpu
        } else if let old = oldTaskLine(trimmed) {
            dump.comm = old.comm
            dump.state = old.state
            dump.pid = old.pid
            dump.parentPID = old.parentPID
        }
    }

    /// `pid:1383` → 1383 (Int parsing never traps: a value that does not fit is nil).
    private static func field(_ name: String, in text: Substring) -> Int? {
        guard let range = text.range(of: " " + name) ?? (text.hasPrefix(name) ? text.range(of: name) : nil) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// Before 5.14: `%-15.15s %c` then `%5lu %5d %6d 0x%08lx` (free stack, pid, ppid, flags), the free-stack
    /// field missing on some versions: `btrfs-transacti D    0   949      2 0x80004000`.
    static func oldTaskLine(_ text: Substring) -> (comm: String, state: String, pid: Int, parentPID: Int)? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 5, let flags = words.last, flags.hasPrefix("0x"), flags.count > 2,
              flags.dropFirst(2).utf8.allSatisfy(ASCII.isHexDigit) else { return nil }
        var numbers: [Int] = []
        var cursor = words.count - 2
        while cursor >= 0, numbers.count < 3, let value = Int(words[cursor]) {
            numbers.insert(value, at: 0)
            cursor -= 1
        }
        guard numbers.count >= 2, cursor >= 1, words[cursor].count == 1,
              let letter = words[cursor].first, "RSDTtXZPIKNW".contains(letter) else { return nil }
        guard let commStart = words.first?.startIndex else { return nil }
        let comm = text[commStart..<words[cursor].startIndex].trimmingSpaces
        guard !comm.isEmpty else { return nil }
        return (String(comm), String(letter), numbers[numbers.count - 2], numbers[numbers.count - 1])
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}

extension LogLine {
    func message(_ bytes: [UInt8]) -> String { bytes.text(from: messageStart, to: messageEnd) }
}
