/// Finds and decodes every kernel report in a log.
///
/// ```swift
/// let reports = KernelLogParser().reports(in: Array(logText.utf8))
/// for report in reports { print(report.title, report.guiltyFrame ?? "-") }
/// ```
///
/// Works on bytes: lines are scanned once for header substrings; regular expressions run only on the
/// text of a found report. Input may be any mix of console, `dmesg` (`-T`, `-r`, with caller ids),
/// syslog and `journalctl -k` output, with CRLF line ends and invalid UTF-8.
public struct KernelLogParser: Sendable {
    /// Upper bound on lines gathered for one report, so pathological logs stay linear.
    public var maximumReportLines: Int
    /// Upper bound on lines scanned after a report header.
    public var maximumScanLines: Int

    private let scanner = HeaderScanner()

    /// Bytes of one line used for titles (longer lines are cut; they are garbage or interleaving).
    public var maximumTitleLineBytes: Int = 16 * 1024

    public init(maximumReportLines: Int = 4000, maximumScanLines: Int = 20_000) {
        self.maximumReportLines = maximumReportLines
        self.maximumScanLines = maximumScanLines
    }

    /// All reports, in log order.
    public func reports(in bytes: [UInt8]) -> [KernelReport] {
        scan(bytes).reports
    }

    /// Reports and every other call trace of the log (task dumps, NMI backtraces, `dump_stack`), in log order.
    public func decode(_ bytes: [UInt8]) -> DecodedKernelLog {
        let scanned = scan(bytes)
        let dumps = StackDumpScanner.dumps(in: scanned.bytes, lines: scanned.lines, reportLines: scanned.reportLines)
        return DecodedKernelLog(reports: scanned.reports, stackDumps: dumps)
    }

    struct Scan {
        var reports: [KernelReport]
        /// The input with wrapped frame lines joined (MailWrap): what `lines` index into.
        var bytes: [UInt8]
        var lines: [LogLine]
        /// Lines whose frames a report already holds.
        var reportLines: Set<Int>
    }

    func scan(_ input: [UInt8]) -> Scan {
        // Offsets stay those of the input: wrapped frame lines are joined in place (MailWrap).
        let bytes = MailWrap.unwrapped(input)
        let lines = LogLineScanner.lines(in: bytes)
        let headerOfLine = lines.map { scanner.header(in: bytes, start: $0.start, end: $0.end) }
        var reports: [KernelReport] = []
        var reportLines = Set<Int>()
        var foundReports: [Found] = []
        var previous: Found?
        var index = 0
        // A log that starts at boot (a serial console whose first line is firmware, boot loader or
        // decompressor output, then "Booting the kernel.") has not rebooted; a boot after kernel
        // messages, or after other output (a fuzzer's program), is an unexpected reboot.
        let firstKernelLine = startsAtBoot(lines, bytes) ? (lines.firstIndex { $0.timestamp != nil } ?? lines.count) : 0
        while let start = firstHeader(lines, headerOfLine, bytes, from: index) {
            index = start + 1
            if start < firstKernelLine, let header = headerOfLine[start], scanner.headers[header].header == Self.booting {
                continue
            }
            let found = gather(lines, headerOfLine, bytes, start: start)
            if let previous, isContinuation(found, of: previous, bytes: bytes, lines: lines) { continue }
            let (report, modelLines) = decode(found, bytes: bytes, lines: lines)
            reports.append(report)
            foundReports.append(found)
            reportLines.formUnion(modelLines)
            previous = found
        }
        reportLines.formUnion(splitInterleavedBurst(&reports, foundReports, bytes: bytes, lines: lines))
        return Scan(reports: reports, bytes: bytes, lines: lines, reportLines: reportLines)
    }

    /// Convenience for text input.
    public func reports(in text: String) -> [KernelReport] {
        reports(in: Array(text.utf8))
    }

    /// The first report only (what syzkaller's `Parse` returns).
    /// It is `reports(in:).first`: wrapped frames, a boot at the start of the log and interleaved
    /// simultaneous reports are handled as in the full scan, so the two never disagree.
    public func firstReport(in bytes: [UInt8]) -> KernelReport? {
        scan(bytes).reports.first
    }

    // MARK: - Finding

    private static let booting: [UInt8] = Array("Booting the kernel.".utf8)
    /// How the first line of a machine's console output starts: firmware (SeaBIOS, iPXE), boot
    /// loader, the x86 setup code's early console, the decompressor.
    private static let bootPreamble: [[UInt8]] = ["SeaBIOS", "iPXE", "Booting from ", "GRUB", "early console in ",
                                                   "Probing EDD", "Decompressing Linux", "Booting the kernel."].map { Array($0.utf8) }

    /// Whether the first non-blank line of the log is boot preamble output.
    private func startsAtBoot(_ lines: [LogLine], _ bytes: [UInt8]) -> Bool {
        guard let first = lines.first(where: { line in
            bytes[line.start..<line.end].contains { $0 != 0x20 && $0 != 0x09 }
        }) else { return false }
        var start = first.start
        while start < first.end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        let text = bytes[start..<first.end]
        return Self.bootPreamble.contains { text.starts(with: $0) }
    }
    private static let replaying: [UInt8] = Array("** replaying previous printk message **".utf8)

    private func firstHeader(_ lines: [LogLine], _ headers: [Int?], _ bytes: [UInt8], from: Int) -> Int? {
        var index = from
        while index < lines.count {
            if headers[index] != nil && !truncatedByReplay(lines, bytes, index) { return index }
            index += 1
        }
        return nil
    }

    private func truncatedByReplay(_ lines: [LogLine], _ bytes: [UInt8], _ index: Int) -> Bool {
        guard index + 1 < lines.count else { return false }
        let next = lines[index + 1]
        return bytes.contains(Self.replaying, from: next.start, to: next.end)
    }

    struct Found {
        var header: Int
        var start: Int
        var context: LineContext
        /// Lines of the report (same context), in order; the first is the header line.
        var included: [Int]
        /// How many of `included` belong to the title text (the rest follows a second report).
        var titleCount: Int
        /// Line index of a following report start, if any.
        var secondReport: Int?
        var lastHeaderLine: Int
        /// Line index of the next report start in the same context (ends the frame model).
        var nextInContext: Int?
    }

    private static let disablingLockDebugging: [UInt8] = Array("Disabling lock debugging due to kernel taint".utf8)
    private static let sendingNMI: [UInt8] = Array("Sending NMI from CPU".utf8)
    private static let panicNotSyncing: [UInt8] = Array("Kernel panic - not syncing".utf8)
    private static let circularLocking: [UInt8] = Array("WARNING: possible circular locking dependency detected".utf8)
    private static let endMarker: [UInt8] = Array("---[ end ".utf8)
    private static let kmsanHeader: [UInt8] = Array("BUG: KMSAN:".utf8)

    func gather(_ lines: [LogLine], _ headers: [Int?], _ bytes: [UInt8], start: Int) -> Found {
        let context = lines[start].context
        var found = Found(header: headers[start] ?? 0, start: start, context: context, included: [], titleCount: 0,
                          secondReport: nil, lastHeaderLine: start)
        let headerLine = lines[start]
        let minimumLines = bytes.contains(Self.kmsanHeader, from: headerLine.start, to: headerLine.end) ? 16 : 22
        let hasRealContext = { () -> Bool in
            if case .caller = context { return true }
            return false
        }()
        var textLines = 0
        var skipText = false
        var cpuTraceback = false
        var index = start
        let limit = min(lines.count, start + maximumScanLines)
        while index < limit, found.included.count < maximumReportLines {
            // Once a following report started, a little more text is enough for the corruption checks.
            if let second = found.secondReport, index - second > 1000 { break }
            let line = lines[index]
            let isHeaderLine = index == start
            if let header = headers[index], !truncatedByReplay(lines, bytes, index) {
                found.lastHeaderLine = index
                if !isHeaderLine && !isContinuationHeader(bytes, line, header: header) {
                    if found.secondReport == nil { found.secondReport = index }
                    if found.nextInContext == nil && line.context == context { found.nextInContext = index }
                }
            } else if !isHeaderLine && found.secondReport == nil
                        && TitleGrammar.messagesWithStack.contains(where: { bytes.contains($0, from: line.start, to: line.end) }) {
                found.secondReport = index
            }
            index += 1
            if !isHeaderLine {
                if line.context != context {
                    var isCPU = false
                    if case .caller(let caller) = line.context, caller.kind == .cpu { isCPU = true }
                    if !(cpuTraceback && isCPU) { continue }
                }
                if line.questionable {
                    // Kept for the frame model only; excluded from the title text.
                    if !skipText {
                        found.included.append(index - 1)
                        if found.secondReport == nil || hasRealContext { found.titleCount = found.included.count }
                    }
                    continue
                }
            }
            textLines += 1
            var skipLine = skipText
            if bytes.contains(Self.disablingLockDebugging, from: line.start, to: line.end) {
                skipLine = true
            } else if bytes.contains(Self.sendingNMI, from: line.start, to: line.end) {
                cpuTraceback = true
            } else if (bytes.contains(Self.panicNotSyncing, from: line.start, to: line.end)
                        || bytes.contains(Self.circularLocking, from: line.start, to: line.end)) && textLines > minimumLines {
                skipText = true
                skipLine = true
            }
            if !isHeaderLine && skipLine { continue }
            found.included.append(index - 1)
            if found.secondReport == nil || hasRealContext { found.titleCount = found.included.count }
        }
        return found
    }

    private func isContinuationHeader(_ bytes: [UInt8], _ line: LogLine, header: Int) -> Bool {
        TitleGrammar.continuationHeaders.contains { bytes.contains($0, from: line.start, to: line.end) }
    }

    /// A header inside the previous report that does not start a new one (`invalid opcode` after
    /// `kernel BUG at`, `Kernel panic - not syncing` after a WARNING).
    private func isContinuation(_ found: Found, of previous: Found, bytes: [UInt8], lines: [LogLine]) -> Bool {
        // Panics and trap lines printed right after a report (panic_on_warn, "Fatal exception") belong to it.
        guard found.context == previous.context, found.start - previous.start <= 400 else { return false }
        if let second = previous.secondReport, found.start >= second { return false }
        let line = lines[found.start]
        return isContinuationHeader(bytes, line, header: found.header)
    }

    // MARK: - Decoding

    func decode(_ found: Found, bytes: [UInt8], lines: [LogLine]) -> (report: KernelReport, modelLines: [Int]) {
        let header = scanner.headers[found.header]
        let cap = max(64, maximumTitleLineBytes)
        let message = { (line: LogLine) -> String in
            bytes.text(from: line.messageStart, to: min(line.messageEnd, line.messageStart + cap))
        }
        let titleLines = found.included.prefix(found.titleCount).filter { $0 == found.start || !lines[$0].questionable }
        var titleText = titleLines.map { message(lines[$0]) + "\n" }.joined()
        var extraction = TitleExtraction.extract(titleText, header: header)
        if extraction.title.isEmpty {
            let endLine = max(found.lastHeaderLine, found.start)
            titleText = (found.start...endLine).map {
                bytes.text(from: lines[$0].start, to: min(lines[$0].end, lines[$0].start + cap)) + "\n"
            }.joined()
            extraction = TitleExtraction.extract(titleText, header: header)
        }
        var corruptionReason = extraction.corruptionReason
        if corruptionReason == nil {
            let fullText = found.included.filter { $0 == found.start || !lines[$0].questionable }
                .map { message(lines[$0]) + "\n" }.joined()
            corruptionReason = CorruptionCheck.reason(title: extraction.title, report: fullText, rule: extraction.rule)
        }
        let title = TitleNormalization.normalize(extraction.title)
        var alternatives = extraction.alternatives.map(TitleNormalization.normalize).filter { $0 != title }
        var seen = Set<String>()
        alternatives = alternatives.filter { seen.insert($0).inserted }

        // The model uses the report's own lines: up to a following report, all contexts' unreliable frames kept.
        let modelEnd = found.nextInContext ?? Int.max
        var modelLines = found.included.filter { $0 < modelEnd }
        // "---[ end trace … ]---" closes the report; x86 then reprints the first oops' registers. An end
        // marker before the report's call trace is another CPU's (interleaved simultaneous reports).
        let traceLine = modelLines.first { StackDumpScanner.isTraceStart(bytes, lines[$0]) }
        if let close = modelLines.firstIndex(where: { $0 >= (traceLine ?? 0)
                && bytes.contains(Self.endMarker, from: lines[$0].messageStart, to: lines[$0].end) }) {
            modelLines = Array(modelLines[...close])
        }
        var assembler = ReportAssembler()
        for lineIndex in modelLines {
            assembler.consume(lines[lineIndex], bytes: bytes)
        }
        let headerLine = lines[found.start]
        var report = assembler.build(header: message(headerLine))
        report.title = title
        report.alternativeTitles = alternatives
        report.corrupted = corruptionReason != nil
        report.corruptionReason = corruptionReason
        report.guiltyFrame = Self.guiltyFrame(title: title, extracted: extraction.frames)
        report.syzkallerTitle = title
        if title.hasPrefix("WARNING"), title.hasSuffix(" in corrupted"), let function = report.headerFunction {
            // No usable frame (trimmed paste, a 4.x kernel printing every frame with '?'): the header names it.
            report.title = String(title.dropLast("corrupted".count)) + function
            report.guiltyFrame = function
            report.titleSource = .header
        } else if title.hasPrefix("WARNING: CPU: "), report.headerFunction == nil, let location = report.location {
            // No symbol anywhere (a kernel without kallsyms prints `at fs/btrfs/super.c:254 0xc01cf724()`).
            report.title = "WARNING at \(location)"
            report.titleSource = .header
        }
        report.kind = ReportKind.classify(title: report.title, header: report.header)
        report.timestamp = headerLine.timestamp
        if case .caller(let caller) = headerLine.context { report.caller = caller }
        report.startOffset = headerLine.start
        report.endOffset = lines[modelLines.last ?? found.start].end
        return (report, modelLines)
    }

    private static func guiltyFrame(title: String, extracted: [String]) -> String? {
        if let frame = extracted.first, frame != "corrupted", !frame.isEmpty {
            return StackFrameExtraction.stripPrefixes(frame)
        }
        // Titles like "... in FUNC".
        let utf8 = Array(title.utf8)
        var cut = -1
        var position = utf8.count - 4
        while position >= 0 {
            if utf8[position] == ASCII.space, utf8[position + 1] == UInt8(ascii: "i"), utf8[position + 2] == UInt8(ascii: "n"),
               utf8[position + 3] == ASCII.space { cut = position + 4; break }
            position -= 1
        }
        guard cut >= 0 else { return nil }
        let candidate = utf8[cut...]
        let name = String(decoding: candidate, as: UTF8.self)
        guard !candidate.isEmpty, name != "corrupted", candidate.allSatisfy({ ASCII.isSymbolByte($0) }) else { return nil }
        return name
    }
}
