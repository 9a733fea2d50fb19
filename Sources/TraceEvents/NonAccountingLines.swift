#if canImport(Glibc)
import Glibc
#endif

/// Lines other tracers and options print between (or instead of) events: recognized so that they
/// are counted by kind, never confused with events, and never silently dropped.
extension LineTokenizer {
    /// What follows the timestamp of a line with event context but no `name:`: a function tracer
    /// call (`do_nanosleep <-hrtimer_nanosleep`, also `f+0x0/0x90 <-g+0x8f/0x120` with sym-offset)
    /// or the `<stack trace>` / `<user stack trace>` head of a stacktrace block.
    func nonEventTail(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> LineKind? {
        let k = Bytes.skipSpaces(p, i, end)
        if isStackTraceTail(p, k, end) { return .stackTrace }
        let callee = Bytes.skipToSpace(p, k, end)
        if callee > k && Bytes.matches(p, callee, end, " <-") && callee + 3 < end && !Bytes.isSpace(p[callee + 3]) {
            return .function
        }
        return nil
    }

    func isStackTraceTail(_ p: UnsafeRawBufferPointer, _ k: Int, _ end: Int) -> Bool {
        Bytes.matches(p, k, end, "<stack trace>") || Bytes.matches(p, k, end, "<user stack trace>")
    }

    /// A perf call-chain frame after its indentation: a hex address, a space, then the symbol.
    func isCallchainFrame(_ p: UnsafeRawBufferPointer, _ a: Int, _ end: Int) -> Bool {
        var k = a
        while k < end, Bytes.hexValue(p[k]) != nil { k += 1 }
        return k > a && k + 1 < end && p[k] == 0x20 && !Bytes.isSpace(p[k + 1])
    }

    /// True when `: ` (or a final `:`) occurs in the line, as after every event timestamp.
    func hasColonSpace(_ p: UnsafeRawBufferPointer, _ a: Int, _ end: Int) -> Bool {
        guard let base = p.baseAddress else { return false }
        var i = a
        while i < end, let hit = memchr(base + i, 0x3A, end - i) {
            let k = base.distance(to: UnsafeRawPointer(hit))
            if k + 1 == end || Bytes.isSpace(p[k + 1]) { return true }
            i = k + 1
        }
        return false
    }

    /// function_graph output: ` 0)   0.198 us    |  f();`, ` 0)               |  g() {`, with the
    /// `funcgraph-abstime` prefix `  4470.012345 |   0)  ...`, task switches
    /// ` 0)   <idle>-0    =>   bash-1234  ` and the `------` separators around them.
    func isFunctionGraph(_ p: UnsafeRawBufferPointer, _ a: Int, _ end: Int) -> Bool {
        var k = a
        while k < end && p[k] == 0x2D { k += 1 }
        if k - a >= 10 && Bytes.skipSpaces(p, k, end) == end { return true }
        k = a
        // Optional absolute timestamp column: `secs.usecs |`.
        if let (_, j) = Bytes.parseDecimal(p, k, end), j < end, p[j] == 0x2E, let (_, m) = Bytes.parseDecimal(p, j + 1, end) {
            let bar = Bytes.skipSpaces(p, m, end)
            guard bar < end, p[bar] == 0x7C else { return false }
            k = Bytes.skipSpaces(p, bar + 1, end)
        }
        // The CPU column `N)`, then a `|` (call) or `=>` (task switch) further on.
        guard let (_, j) = Bytes.parseDecimal(p, k, end), j < end, p[j] == 0x29, let base = p.baseAddress else { return false }
        let rest = j + 1
        if memchr(base + rest, 0x7C, end - rest) != nil { return true }
        var s = rest
        while s + 1 < end {
            if p[s] == 0x3D && p[s + 1] == 0x3E { return true }
            s += 1
        }
        return false
    }

    /// A name tracefs can give an event (a C identifier): rules out `2b742cae-e0e5-...: qgid=5`,
    /// a mail-wrapped continuation that would otherwise read as a context-less event.
    func isTracepointName(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        guard s < e, !Bytes.isDigit(p[s]) else { return false }
        for k in s..<e where p[k] == 0x2D || p[k] == 0x2E { return false }
        return true
    }
}
