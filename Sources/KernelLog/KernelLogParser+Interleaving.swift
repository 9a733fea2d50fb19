/// Reports printed at the same time by several CPUs, without caller ids to tell their lines apart.
///
/// Eight CPUs hitting one `BUG_ON` print eight `kernel BUG at …` headers in a burst, then the eight
/// `invalid opcode: 0000 [#N]` blocks (CPU, RIP, registers, call trace, `---[ end trace`) one after the
/// other, lines of later headers mixed into them; a block ends at its end marker (once its call trace
/// was seen) or where the next block starts. A header of the burst has no body of its own: another
/// header follows before its registers, and it gets a "corrupted" title. It is given the next oops block
/// that no report holds yet (within `oopsBlockLimit` lines), in order, and decoded again from its header
/// and that block. Logs with caller ids (`[ T123]`, `[ C1]`) are split by context before this.
extension KernelLogParser {
    /// Lines an oops block may span (to its `---[ end trace`).
    static let oopsBlockLimit = 400

    private static let oopsStarts: [[UInt8]] = ["invalid opcode: 0000", "Internal error: Oops - BUG"].map { Array($0.utf8) }
    private static let traceEnd: [UInt8] = Array("---[ end trace".utf8)

    /// Rewrites the burst reports of `reports` in place; returns the lines they now hold.
    func splitInterleavedBurst(_ reports: inout [KernelReport], _ found: [Found], bytes: [UInt8], lines: [LogLine]) -> Set<Int> {
        let orphaned = reports.indices.filter { index in
            reports[index].syzkallerTitle.hasSuffix(" in corrupted") && reports[index].title.hasPrefix("kernel BUG")
                && found[index].secondReport != nil
        }
        guard !orphaned.isEmpty else { return [] }
        // Oops blocks already decoded with a good title belong to their reports.
        var claimed = Set<Int>()
        for index in reports.indices where !orphaned.contains(index) {
            if let block = found[index].included.first(where: { isOopsStart(bytes, lines[$0]) }) { claimed.insert(block) }
        }
        var held = Set<Int>()
        var cursor = 0
        for index in orphaned {
            let start = found[index].start
            cursor = max(cursor, start + 1)
            guard let block = (cursor..<min(lines.count, start + Self.oopsBlockLimit)).first(where: { !claimed.contains($0) && lines[$0].context == lines[start].context
                                                                   && isOopsStart(bytes, lines[$0]) }) else { break }
            claimed.insert(block)
            cursor = block + 1
            var body = [start]
            var line = block
            var sawTrace = false
            while line < min(lines.count, block + Self.oopsBlockLimit) {
                // The next CPU's oops starts the next block; its own end marker may come after that header.
                if line > block, isOopsStart(bytes, lines[line]) { break }
                if lines[line].context == lines[start].context {
                    body.append(line)
                    // An end marker before this block's call trace closes the previous CPU's block.
                    if StackDumpScanner.isTraceStart(bytes, lines[line]) { sawTrace = true }
                    if sawTrace, bytes.contains(Self.traceEnd, from: lines[line].messageStart, to: lines[line].end) { break }
                }
                line += 1
            }
            var burst = found[index]
            burst.included = body
            burst.titleCount = body.count
            burst.secondReport = nil
            burst.nextInContext = nil
            burst.lastHeaderLine = start
            let (report, modelLines) = decode(burst, bytes: bytes, lines: lines)
            guard !report.syzkallerTitle.hasSuffix(" in corrupted") else { continue }
            reports[index] = report
            held.formUnion(modelLines)
        }
        return held
    }

    private func isOopsStart(_ bytes: [UInt8], _ line: LogLine) -> Bool {
        Self.oopsStarts.contains { bytes.contains($0, from: line.messageStart, to: line.end) }
    }
}
