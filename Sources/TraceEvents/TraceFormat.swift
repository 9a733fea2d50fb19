/// The input dialects `analyze` reads. Detection looks at content, never at file names.
public enum TraceFormat: String, Sendable, CaseIterable {
    /// Kernel text from `/sys/kernel/tracing/trace` or `trace_pipe` (any option set).
    case ftrace
    /// `trace-cmd report` text, 2.x and 3.x layouts, with or without `-l`.
    case traceCmdReport = "trace-cmd"
    /// `perf script` text, default and `-F` field sets, with or without call chains.
    case perfScript = "perf"
    /// trace-cmd's binary `trace.dat` (read by module TraceDat, not by the text parser).
    case traceDat = "trace.dat"

    /// Sniffs the first bytes of a decoded (already decompressed) input. Returns nil when the
    /// content is none of the formats.
    public static func sniff(_ prefix: [UInt8]) -> TraceFormat? {
        if prefix.count >= 10 && prefix[0] == 0x17 && prefix[1] == 0x08 && prefix[2] == 0x44
            && Array(prefix[3..<10]) == Array("tracing".utf8) {
            return .traceDat
        }
        if prefix.isEmpty { return nil }
        // Text must be text: NUL bytes or many control characters mean binary garbage.
        var control = 0
        for c in prefix.prefix(8192) {
            if c == 0 { return nil }
            if c < 0x09 || (c > 0x0D && c < 0x20) { control += 1 }
        }
        if control > 8 { return nil }
        return prefix.withUnsafeBytes { raw -> TraceFormat? in
            let tokenizer = LineTokenizer()
            var perfVotes = 0, ftraceVotes = 0, traceCmdVotes = 0, events = 0, ftraceLines = 0
            var start = 0
            var lineIndex = 0
            let end = raw.count
            while start < end && lineIndex < 400 {
                var stop = start
                while stop < end && raw[stop] != 0x0A { stop += 1 }
                if stop == end && end == prefix.count && stop - start > 0 && lineIndex > 0 && prefix.count >= 64 * 1024 { break }
                let line = UnsafeRawBufferPointer(rebasing: raw[start..<stop])
                let a = Bytes.skipSpaces(line, 0, line.count) // indented copies vote as the original
                if Bytes.matches(line, a, line.count, "# tracer:") { ftraceVotes += 10 }
                if Bytes.matches(line, a, line.count, "cpus=") { traceCmdVotes += 10 }
                if Bytes.matches(line, a, line.count, "version = ") { traceCmdVotes += 2 }
                switch tokenizer.classify(line) {
                case .event(let header):
                    events += 1
                    if header.hasSubsystemPrefix { perfVotes += 2 }
                    if header.style == .perf { perfVotes += 1 }
                    if header.style == .ftrace { ftraceVotes += 1 }
                case .callchainFrame: perfVotes += 2
                case .function, .functionGraph, .stackTrace: ftraceLines += 1
                case .traceCmdHeader, .traceCmdDropped: traceCmdVotes += 2
                case .lost, .bufferStarted: ftraceVotes += 1
                default: break
                }
                start = stop + 1
                lineIndex += 1
            }
            // A header with no event lines is still a trace (an empty ring buffer).
            if events == 0 {
                if ftraceVotes >= 10 { return .ftrace }
                if traceCmdVotes >= 10 { return .traceCmdReport }
                // function / function_graph tracer output only: still ftrace, read and counted.
                if ftraceLines > 0 { return .ftrace }
                return nil
            }
            if traceCmdVotes >= 10 || (traceCmdVotes > 0 && traceCmdVotes >= ftraceVotes && traceCmdVotes >= perfVotes) { return .traceCmdReport }
            if perfVotes > ftraceVotes { return .perfScript }
            return .ftrace
        }
    }
}
