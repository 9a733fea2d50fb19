#if canImport(Glibc)
import Glibc
#endif

/// How an event line laid out its context fields.
public enum LineStyle: Sendable, Equatable {
    /// `comm-pid [cpu] flags timestamp: name: payload` (kernel text and trace-cmd report).
    case ftrace
    /// `comm pid[/tid] [cpu] timestamp: subsys:name: payload` (perf script).
    case perf
    /// `comm-pid cpu+flags time: name: payload` (latency-format, `trace-cmd report -l`).
    case latency
    /// `name: payload` (ftrace with context-info off).
    case noContext
}

/// What a timestamp field measures.
public enum TimestampKind: Sendable, Equatable {
    /// Nanoseconds of the trace clock (printed as seconds with 6 or 9 decimals).
    case nanoseconds
    /// A raw counter (`counter`, `x86-tsc`, `uptime` clocks).
    case counter
    /// Microseconds relative to the start of the trace (latency format).
    case relativeMicroseconds
    case none
}

/// The context fields of one event line, as offsets into the line.
public struct EventHeader: Sendable {
    public var style: LineStyle = .ftrace
    public var timestamp: UInt64 = 0
    public var timestampKind: TimestampKind = .none
    public var cpu: Int32 = -1
    public var pid: Int32 = -1
    public var tgid: Int32 = -1
    public var commStart = 0
    public var commEnd = 0
    /// trace-cmd buffer instance name (`foo:` prefix), empty for the top buffer.
    public var instanceStart = 0
    public var instanceEnd = 0
    public var nameStart = 0
    public var nameEnd = 0
    public var hasSubsystemPrefix = false
    /// `Bytes.nameHash` of the name bytes (computed once the name's end is known).
    public var nameHash: UInt64 = 0
    /// The `EventNameCache` entry that holds the name (found or kept there), -1 for none.
    public var nameEntry: Int32 = -1
    /// The context columns were those of the line before (`RepeatedContext`): same comm and pid.
    public var contextRepeated = false
    public var payloadStart = 0
}

/// The kind of one input line.
public enum LineKind: Sendable {
    case blank
    /// `#` header/legend lines and the `$ command` annotation some captures carry.
    case comment
    /// `# entries-in-buffer/entries-written: A/B` (A < B means the oldest B - A events were overwritten).
    case entriesHeader(inBuffer: UInt64, written: UInt64)
    /// `cpus=N`, `version = N`, `CPU N is empty` (trace-cmd report headers).
    case traceCmdHeader
    /// `CPU:N [LOST M EVENTS]` (kernel).
    case lost(cpu: Int32, count: UInt64)
    /// `CPU:N [M EVENTS DROPPED]` / `CPU:N [EVENTS DROPPED]` (trace-cmd report); count 0 when unknown.
    case traceCmdDropped(cpu: Int32, count: UInt64)
    /// `##### CPU N buffer started ####`: older events of that CPU were overwritten.
    case bufferStarted(cpu: Int32)
    /// A TAB-indented perf call-chain frame (`\t  ffffffff8123 func+0x1f ([kernel.kallsyms])`).
    case callchainFrame
    /// `<stack trace>` / ` => func` lines of the stacktrace option, with or without context.
    case stackTrace
    /// A function tracer line: context, then `func <-parent` (no event name).
    case function
    /// A function_graph tracer line (` 0)   0.198 us    |  f();`, separators, task switches).
    case functionGraph
    case event(EventHeader)
    /// Not a line any supported format prints.
    case unrecognized
}

/// Splits one line into context fields. No allocation; works on the bytes in place.
public struct LineTokenizer: Sendable {
    public init() {}

    public func classify(_ p: UnsafeRawBufferPointer) -> LineKind {
        let end = p.count
        if end == 0 { return .blank }
        let a = Bytes.skipSpaces(p, 0, end)
        if a == end { return .blank }
        if p[0] == 0x09 {
            // perf call-chain frames are TAB-indented; so are event lines copied from some
            // reports (trappy's test traces). A frame has no `: ` (an event's timestamp has), so
            // the common case costs one memchr; otherwise an event first, then a frame, else counted.
            let frame = isCallchainFrame(p, a, end)
            if frame && !hasColonSpace(p, a, end) { return .callchainFrame }
            if let kind = eventLine(p, a, end) { return kind }
            return frame ? .callchainFrame : .unrecognized
        }
        let c0 = p[a]
        if c0 == 0x23 { // '#'
            if Bytes.matches(p, a, end, "##### CPU ") {
                if let (cpu, _) = Bytes.parseDecimal(p, a + 10, end), cpu < Int32.max { return .bufferStarted(cpu: Int32(cpu)) }
            }
            if let r = entriesHeader(p, a, end) { return r }
            return .comment
        }
        // Indented copies (documentation, mails) are read like the original. The first byte picks
        // the few prefixes worth comparing (an event line starts with its comm).
        switch c0 {
        case 0x24: // '$'
            if Bytes.matches(p, a, end, "$ ") { return .comment }
        case 0x43: // 'C'
            if Bytes.matches(p, a, end, "CPU:") { return cpuMarker(p, a + 4, end) }
            if Bytes.matches(p, a, end, "CPU "), let (_, j) = Bytes.parseDecimal(p, a + 4, end), Bytes.matches(p, j, end, " is empty") {
                return .traceCmdHeader
            }
        case 0x63: // 'c'
            if Bytes.matches(p, a, end, "cpus=") { return .traceCmdHeader }
        case 0x76: // 'v'
            if Bytes.matches(p, a, end, "version = ") { return .traceCmdHeader }
        case 0x3C, 0x3D: // '<', '='
            if isStackTraceTail(p, a, end) || Bytes.matches(p, a, end, "=> ") { return .stackTrace }
        default:
            break
        }
        if let kind = eventLine(p, a, end) { return kind }
        if isFunctionGraph(p, a, end) { return .functionGraph }
        return .unrecognized
    }

    /// The common kernel/trace-cmd event line (`comm-pid [cpu] flags secs.frac: name: payload`),
    /// tokenized into `h` in place: true exactly when `classify` would return `.event` with the
    /// same header. False says nothing: the line is then classified as usual. Kept to the layout
    /// the kernel prints (first `[` is the CPU field, `secs.usecs` or `secs.nsecs`, `comm-pid`
    /// without a tgid column), so the hot path neither builds nor copies a `LineKind`.
    /// `names`, when given, recognizes names of earlier lines without checking them again (the
    /// header is the same). `context`, when given, holds the context columns of the last line
    /// taken, so that a line repeating them is not read there again (`RepeatedContext`).
    public func commonEvent(_ p: UnsafeRawBufferPointer, into h: inout EventHeader, names: EventNameCache? = nil,
                            context: RepeatedContext? = nil) -> Bool {
        let end = p.count
        // The columns of the line before: their checks passed, with these results.
        if let context, context.matches(p) {
            h = context.header()
            if let (decimals, seconds) = context.secondsMatch(p) {
                return eventAfterSeconds(p, decimals, end, seconds: seconds, into: &h, names: names)
            }
            var dot = 0
            var seconds: UInt64 = 0
            guard eventAfterContext(p, Bytes.skipSpaces(p, context.length &- 1, end), end, into: &h, names: names,
                                    dot: &dot, seconds: &seconds) else { return false }
            context.keepSeconds(p, through: dot &+ 1, seconds)
            return true
        }
        guard end > 0, let base = p.baseAddress, p[0] != 0x09 else { return false }
        let a = Bytes.skipSpaceRun(p, 0, end)
        guard a < end else { return false }
        switch p[a] {
        case 0x23, 0x24, 0x3D, 0x76: return false // '#', '$', '=', 'v': see `classify`
        // '<': `<stack trace>` lines; the comms `<idle>` (the idle task, pid 0: interrupts and
        // softirqs, end-I/O work on 6.1) and `<...>` (not recorded) start event lines.
        case 0x3C: if isStackTraceTail(p, a, end) { return false }
        case 0x43: if Bytes.matches(p, a, end, "CPU") { return false }
        case 0x63: if Bytes.matches(p, a, end, "cpus=") { return false }
        default: break
        }
        guard let hit = memchr(base + a, 0x5B, end - a) else { return false }
        let i = base.distance(to: UnsafeRawPointer(hit))
        guard i > a, Bytes.isSpace(p[i - 1]) || p[i - 1] == 0x29 else { return false }
        // The CPU number: at most nine digits (below Int32.max).
        guard let (cpu, j) = Bytes.parseShortDecimal(p, i + 1, end), j > i + 1, j < end, p[j] == 0x5D, j + 1 < end,
              Bytes.isSpace(p[j + 1]) else { return false }
        h = EventHeader()
        h.cpu = Int32(truncatingIfNeeded: cpu)
        // `comm-pid` left of the CPU field (what `parseContext` takes first).
        let e = Bytes.trimSpacesBackward(p, lower: a, i)
        guard e > a, p[e - 1] != 0x29 else { return false }
        // The pid's digits, read backwards in one pass (at most nine).
        var digitsStart = e
        var pid: Int32 = 0
        var scale: Int32 = 1
        while digitsStart > a {
            let d = p[digitsStart - 1] &- 0x30
            if d >= 10 { break }
            guard e - digitsStart < 9 else { return false }
            pid = pid &+ Int32(d) &* scale
            scale = scale &* 10
            digitsStart -= 1
        }
        guard digitsStart < e, digitsStart - 1 > a, p[digitsStart - 1] == 0x2D,
              finishFtraceContext(p, a, dash: digitsStart - 1, pid: pid, into: &h) else { return false }
        var dot = 0
        var seconds: UInt64 = 0
        guard eventAfterContext(p, Bytes.skipSpaces(p, j + 1, end), end, into: &h, names: names, dot: &dot, seconds: &seconds) else {
            return false
        }
        // Everything read of the columns lies before the blank after `]`, which is `j + 1`; the
        // flags column and the seconds end at the dot, `dot`.
        if let context {
            context.keep(p, length: j + 2, h)
            context.keepSeconds(p, through: dot &+ 1, seconds)
        }
        return true
    }

    /// The rest of an event line after its context columns (`k` at the first byte after them):
    /// the flags column, the timestamp and the name; `dot` and `seconds` tell where the
    /// timestamp's dot is and the seconds before it.
    @inline(__always)
    private func eventAfterContext(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, into h: inout EventHeader,
                                   names: EventNameCache?, dot: inout Int, seconds: inout UInt64) -> Bool {
        var k = start
        if k < end && !Bytes.isDigit(p[k]) { k = Bytes.skipSpaceRun(p, Bytes.skipToSpace(p, k, end), end) }
        // What `parseShortSeconds` reads, in two steps: the seconds and dot, then the decimals.
        guard let (whole, j) = Bytes.parseShortDecimal(p, k, end), j > k, j < end, p[j] == 0x2E,
              eventAfterSeconds(p, j &+ 1, end, seconds: whole, into: &h, names: names) else { return false }
        dot = j
        seconds = whole
        return true
    }

    /// The rest of an event line after its timestamp's dot (at `f`), the seconds before it known:
    /// the decimals, the name.
    @inline(__always)
    private func eventAfterSeconds(_ p: UnsafeRawBufferPointer, _ f: Int, _ end: Int, seconds: UInt64, into h: inout EventHeader,
                                   names: EventNameCache?) -> Bool {
        guard let afterTime = parseDecimals(p, f, end, seconds: seconds, into: &h), parseName(p, afterTime, end, into: &h, names: names) else {
            return false
        }
        h.style = .ftrace
        return true
    }

    private func entriesHeader(_ p: UnsafeRawBufferPointer, _ a: Int, _ end: Int) -> LineKind? {
        let key: StaticString = "# entries-in-buffer/entries-written: "
        guard Bytes.matches(p, a, end, key) else { return nil }
        let i = a + key.utf8CodeUnitCount
        guard let (inBuffer, j) = Bytes.parseDecimal(p, i, end), j < end, p[j] == 0x2F,
              let (written, _) = Bytes.parseDecimal(p, j + 1, end) else { return .comment }
        return .entriesHeader(inBuffer: inBuffer, written: written)
    }

    private func cpuMarker(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> LineKind {
        guard let (cpu, j) = Bytes.parseDecimal(p, i, end), cpu < Int32.max else { return .unrecognized }
        var k = Bytes.skipSpaces(p, j, end)
        guard k < end, p[k] == 0x5B else { return .unrecognized }
        k += 1
        if Bytes.matches(p, k, end, "LOST ") {
            if let (n, _) = Bytes.parseDecimal(p, k + 5, end) { return .lost(cpu: Int32(cpu), count: n) }
            return .lost(cpu: Int32(cpu), count: 0)
        }
        if Bytes.matches(p, k, end, "EVENTS DROPPED]") { return .traceCmdDropped(cpu: Int32(cpu), count: 0) }
        if let (n, m) = Bytes.parseDecimal(p, k, end), Bytes.matches(p, m, end, " EVENTS DROPPED]") {
            return .traceCmdDropped(cpu: Int32(cpu), count: n)
        }
        if Bytes.matches(p, k, end, "SUBBUFFER START]") { return .comment }
        return .unrecognized
    }

    // MARK: event lines

    /// An event line, or a function tracer / `<stack trace>` line with the same context fields.
    private func eventLine(_ p: UnsafeRawBufferPointer, _ a: Int, _ end: Int) -> LineKind? {
        // 1. The `[ddd]` CPU anchor, when present.
        var i = a
        while i < end {
            // Jump to the next '[' (memchr) instead of testing every byte.
            guard let base = p.baseAddress, let hit = memchr(base + i, 0x5B, end - i) else { break }
            i = base.distance(to: UnsafeRawPointer(hit))
            if i > a, Bytes.isSpace(p[i - 1]) || p[i - 1] == 0x29,
               let (cpu, j) = Bytes.parseDecimal(p, i + 1, end), j < end, p[j] == 0x5D, j + 1 < end, Bytes.isSpace(p[j + 1]) {
                var h = EventHeader()
                guard cpu < UInt64(Int32.max) else { return nil }
                h.cpu = Int32(cpu)
                var k = Bytes.skipSpaces(p, j + 1, end)
                if k < end && !Bytes.isDigit(p[k]) {
                    // irq/preempt flags column (4 to 6 characters, any of them)
                    k = Bytes.skipSpaces(p, Bytes.skipToSpace(p, k, end), end)
                }
                guard let afterTime = parseTimestamp(p, k, end, into: &h), parseContext(p, a, i, into: &h) else { return nil }
                guard parseName(p, afterTime, end, into: &h) else { return nonEventTail(p, afterTime, end) }
                if h.style != .perf { h.style = .ftrace }
                return .event(h)
            }
            i += 1
        }
        // 2. No CPU anchor: latency layout, perf without a CPU column, or no context at all.
        var t = a + 1
        while t < end {
            if Bytes.isDigit(p[t]) && Bytes.isSpace(p[t - 1]) {
                var h = EventHeader()
                if let afterTime = parseTimestamp(p, t, end, into: &h) {
                    var leftEnd = t
                    while leftEnd > a && Bytes.isSpace(p[leftEnd - 1]) { leftEnd -= 1 }
                    // Latency: the last token is `<cpu><flags>` (e.g. `1.....`).
                    var tokenStart = leftEnd
                    while tokenStart > a && !Bytes.isSpace(p[tokenStart - 1]) { tokenStart -= 1 }
                    if let (cpu, j) = Bytes.parseDecimal(p, tokenStart, leftEnd), j < leftEnd, !Bytes.isDigit(p[j]), cpu < Int32.max {
                        h.cpu = Int32(cpu)
                        h.style = .latency
                        if parseContext(p, a, tokenStart, into: &h) {
                            if parseName(p, afterTime, end, into: &h) {
                                h.style = .latency
                                return .event(h)
                            }
                            if let kind = nonEventTail(p, afterTime, end) { return kind }
                        }
                    } else if parseContext(p, a, leftEnd, into: &h), h.style == .perf, parseName(p, afterTime, end, into: &h) {
                        return .event(h)
                    }
                }
            }
            t += 1
        }
        // 3. `name: payload` only (context-info off).
        if a == 0 {
            var h = EventHeader()
            h.style = .noContext
            if parseName(p, 0, end, into: &h), !h.hasSubsystemPrefix, isTracepointName(p, h.nameStart, h.nameEnd) { return .event(h) }
        }
        return nil
    }

    /// Parses `secs.frac:` / `counter:` / `NNNus<mark>:` at `i`. Returns the index after the colon.
    private func parseTimestamp(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, into h: inout EventHeader) -> Int? {
        if let k = parseShortSeconds(p, i, end, into: &h) { return k }
        guard let (whole, j) = Bytes.parseDecimal(p, i, end) else { return nil }
        var k = j
        if k < end && p[k] == 0x2E { // '.'
            guard let (frac, m) = Bytes.parseDecimal(p, k + 1, end) else { return nil }
            let digits = m - (k + 1)
            guard digits <= 9 else { return nil }
            var scale: UInt64 = 1
            for _ in digits..<9 { scale &*= 10 }
            let (secondsNs, o1) = whole.multipliedReportingOverflow(by: 1_000_000_000)
            let (fracNs, o2) = frac.multipliedReportingOverflow(by: scale)
            let (sum, o3) = secondsNs.addingReportingOverflow(fracNs)
            guard !o1, !o2, !o3 else { return nil }
            h.timestamp = sum
            h.timestampKind = .nanoseconds
            k = m
        } else if Bytes.matches(p, k, end, "us") {
            h.timestamp = whole
            h.timestampKind = .relativeMicroseconds
            k += 2
            if k < end && p[k] != 0x3A { k += 1 } // delay mark: ' ', '+', '!', '#', '*', '@', '$'
        } else {
            h.timestamp = whole
            h.timestampKind = .counter
        }
        guard k < end, p[k] == 0x3A else { return nil }
        return k + 1
    }

    /// The common `secs.usecs:` / `secs.nsecs:` with at most 9 digits of seconds, which cannot
    /// overflow: parsed without overflow checks. Nil (and `h` untouched) for anything else.
    @inline(__always)
    private func parseShortSeconds(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, into h: inout EventHeader) -> Int? {
        guard let (whole, j) = Bytes.parseShortDecimal(p, i, end), j > i, j < end, p[j] == 0x2E else { return nil }
        return parseDecimals(p, j + 1, end, seconds: whole, into: &h)
    }

    /// The decimals of `secs.usecs:` / `secs.nsecs:` at `f` (after the dot), `whole` the seconds
    /// before it (at most 9 digits). Returns the index after the colon; nil (and `h` untouched)
    /// for anything else.
    @inline(__always)
    private func parseDecimals(_ p: UnsafeRawBufferPointer, _ f: Int, _ end: Int, seconds whole: UInt64, into h: inout EventHeader) -> Int? {
        // Six decimals then `:` (microseconds), or nine (nanoseconds), unrolled: a loop kept its
        // index in memory here.
        guard f + 6 < end else { return nil }
        var frac: UInt64 = 0
        for t in 0..<6 {
            let d = p[f + t] &- 0x30
            guard d < 10 else { return nil }
            frac = frac &* 10 &+ UInt64(d)
        }
        let k: Int
        if p[f + 6] == 0x3A {
            frac = frac &* 1000
            k = f + 6
        } else {
            guard f + 9 < end, p[f + 9] == 0x3A else { return nil }
            for t in 6..<9 {
                let d = p[f + t] &- 0x30
                guard d < 10 else { return nil }
                frac = frac &* 10 &+ UInt64(d)
            }
            k = f + 9
        }
        h.timestamp = whole &* 1_000_000_000 &+ frac
        h.timestampKind = .nanoseconds
        return k + 1
    }

    /// Parses the context left of the CPU field or timestamp: `comm-pid [(tgid)]` or `comm pid[/tid]`.
    private func parseContext(_ p: UnsafeRawBufferPointer, _ a: Int, _ b: Int, into h: inout EventHeader) -> Bool {
        var e = Bytes.trimSpacesBackward(p, lower: a, b)
        if e > a && p[e - 1] == 0x29 { // ')' : record-tgid column
            var o = e - 1
            while o > a && p[o] != 0x28 { o -= 1 }
            guard p[o] == 0x28 else { return false }
            let inner = Bytes.skipSpaces(p, o + 1, e - 1)
            if let (tgid, _) = Bytes.parseDecimal(p, inner, e - 1), tgid < Int32.max { h.tgid = Int32(tgid) }
            e = Bytes.trimSpacesBackward(p, lower: a, o)
        }
        guard e > a else { return false }
        // ftrace `comm-pid` (the common case): the digits end the token and a dash precedes them.
        // Such a token cannot be perf's `pid` or `pid/tid`, so it is taken without the perf test.
        var digitsStart = e
        while digitsStart > a && Bytes.isDigit(p[digitsStart - 1]) { digitsStart -= 1 }
        if digitsStart < e, e - digitsStart <= 9, digitsStart - 1 > a, p[digitsStart - 1] == 0x2D {
            var pid: Int32 = 0
            for k in digitsStart..<e { pid = pid &* 10 &+ Int32(p[k] &- 0x30) }
            return finishFtraceContext(p, a, dash: digitsStart - 1, pid: pid, into: &h)
        }
        var tokenStart = e
        while tokenStart > a && !Bytes.isSpace(p[tokenStart - 1]) { tokenStart -= 1 }
        // perf: `pid` or `pid/tid` as its own token, comm before it.
        if let (first, j) = Bytes.parseDecimal(p, tokenStart, e), tokenStart > a {
            var pid = first
            var ok = j == e
            if !ok && p[j] == 0x2F, let (tid, m) = Bytes.parseDecimal(p, j + 1, e), m == e { pid = tid; ok = true }
            if ok && pid < Int32.max {
                var cs = a
                var ce = tokenStart
                while ce > cs && Bytes.isSpace(p[ce - 1]) { ce -= 1 }
                cs = Bytes.skipSpaces(p, cs, ce)
                h.pid = Int32(pid)
                h.commStart = cs
                h.commEnd = ce
                h.style = .perf
                return ce > cs
            }
        }
        // ftrace: `comm-pid`, the comm may itself contain spaces and dashes.
        var dash = e - 1
        while dash > a && Bytes.isDigit(p[dash]) { dash -= 1 }
        guard dash < e - 1, p[dash] == 0x2D, let (pid, _) = Bytes.parseDecimal(p, dash + 1, e), pid < Int32.max else { return false }
        return finishFtraceContext(p, a, dash: dash, pid: Int32(pid), into: &h)
    }

    /// The comm of `comm-pid` (and a trace-cmd instance name before it), once the dash is known.
    @inline(__always)
    private func finishFtraceContext(_ p: UnsafeRawBufferPointer, _ a: Int, dash: Int, pid: Int32, into h: inout EventHeader) -> Bool {
        h.pid = pid
        h.commStart = Bytes.skipSpaces(p, a, dash)
        h.commEnd = dash
        // trace-cmd report prefixes lines of a buffer instance with `name: ` before the padded comm.
        var k = h.commStart
        // A comm of up to 16 bytes without `:` (nearly every line) is told in two words.
        if dash - k <= 16, k + 16 <= p.count {
            let count = UInt64(dash - k)
            let low = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: k, as: UInt64.self))
            let high = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self))
            let lowColons = Bytes.bytes(of: low, equalTo: 0x3A)
            let highColons = Bytes.bytes(of: high, equalTo: 0x3A)
            // The first colon's position, if any, against the comm's length.
            let firstColon = lowColons != 0 ? UInt64(lowColons.trailingZeroBitCount >> 3)
                : highColons != 0 ? 8 + UInt64(highColons.trailingZeroBitCount >> 3) : 16
            if firstColon >= count { return true }
        }
        while k + 2 < dash, let base = p.baseAddress, let hit = memchr(base + k, 0x3A, dash - 2 - k) {
            k = base.distance(to: UnsafeRawPointer(hit))
            if p[k + 1] == 0x20 && p[k + 2] == 0x20 {
                h.instanceStart = h.commStart
                h.instanceEnd = k
                h.commStart = Bytes.skipSpaces(p, k + 1, dash)
                break
            }
            k += 1
        }
        return true
    }

    /// Event-name characters: letters, digits, `_`, `-`, `.` (bit masks over ASCII).
    static let nameMaskLow: UInt64 = (0x3FF << 48) | (1 << 45) | (1 << 46)  // '0'-'9', '-', '.'
    static let nameMaskHigh: UInt64 = (0x3FFFFFF << 1) | (0x3FFFFFF << 33) | (1 << 31)  // 'A'-'Z', 'a'-'z', '_'

    @inline(__always)
    static func isNameCharacter(_ c: UInt8) -> Bool {
        if c < 64 { return (nameMaskLow >> UInt64(c)) & 1 != 0 }
        if c < 128 { return (nameMaskHigh >> UInt64(c - 64)) & 1 != 0 }
        return false
    }

    /// True when all eight bytes are `a`-`z`, `0`-`9` or `_` (what tracepoint names are made of),
    /// tested at once (per-byte range tests without carries, as every byte is below 0x80).
    @inline(__always)
    static func isCommonNameWord(_ w: UInt64) -> Bool {
        let high: UInt64 = 0x8080808080808080
        guard w & high == 0 else { return false }
        let ones: UInt64 = 0x0101010101010101
        // High bit of each byte b set when m < b < n.
        @inline(__always) func between(_ m: UInt64, _ n: UInt64) -> UInt64 {
            ((ones &* (127 &+ n)) &- w) & ~w & (w &+ ones &* (127 &- m)) & high
        }
        return between(0x60, 0x7B) | between(0x2F, 0x3A) | between(0x5E, 0x60) == high
    }

    /// Parses `[(+delta)] name: ` after the timestamp; sets the name and payload offsets.
    private func parseName(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, into h: inout EventHeader,
                           names: EventNameCache? = nil) -> Bool {
        var k = Bytes.skipSpaces(p, i, end)
        if k < end && p[k] == 0x28 && k + 1 < end && p[k + 1] == 0x2B { // trace-cmd --ts-diff "(+5)"
            while k < end && p[k] != 0x29 { k += 1 }
            k = Bytes.skipSpaces(p, k + 1, end)
        } else if h.style == .perf, k < end, Bytes.isDigit(p[k]), let (_, j) = Bytes.parseDecimal(p, k, end), j < end, p[j] == 0x20 {
            // perf script sample period (`dd 29776 666709.771979:   10101010 cpu-clock: `)
            k = Bytes.skipSpaces(p, j, end)
        }
        let nameStart = k
        if let names, let (length, hash, entry) = names.lookup(p, k, end) {
            h.nameStart = k
            h.nameEnd = k + length
            h.nameHash = hash
            h.nameEntry = entry
            h.hasSubsystemPrefix = false
            h.payloadStart = Bytes.skipSpaces(p, k + length + 1, end)
            return true
        }
        var segmentStart = k
        guard let base = p.baseAddress else { return false }
        while k < end {
            // The next ':' (memchr), then every byte before it must be a name character.
            guard let hit = memchr(base + k, 0x3A, end - k) else { return false }
            let colon = base.distance(to: UnsafeRawPointer(hit))
            while k + 8 <= colon && Self.isCommonNameWord(p.loadUnaligned(fromByteOffset: k, as: UInt64.self)) { k += 8 }
            while k < colon {
                if !Self.isNameCharacter(p[k]) { return false }
                k += 1
            }
            if colon + 1 == end || Bytes.isSpace(p[colon + 1]) {
                guard colon > segmentStart else { return false }
                h.nameStart = segmentStart
                h.nameEnd = colon
                h.nameHash = Bytes.nameHash(p, segmentStart, colon)
                h.hasSubsystemPrefix = segmentStart != nameStart
                h.payloadStart = Bytes.skipSpaces(p, colon + 1, end)
                if let names, !h.hasSubsystemPrefix { h.nameEntry = names.insert(p, segmentStart, colon, hash: h.nameHash) }
                return true
            }
            segmentStart = colon + 1
            k = colon + 1
        }
        return false
    }
}
