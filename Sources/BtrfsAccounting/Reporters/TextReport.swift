public import ReportOutput
import TraceEvents

/// Human-readable output (the default).
public enum TextReport: ReportWriter {
    public typealias Subject = AnalysisReport
    public static let format = "text"

    public static func timestamp(_ ns: UInt64?) -> String {
        guard let ns else { return "-" }
        let frac = String(ns % 1_000_000_000)
        return "\(ns / 1_000_000_000)." + String(repeating: "0", count: 9 - frac.count) + frac
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    /// `file:line timestamp task-pid event`; a data-loss marker has no task and often no
    /// timestamp: `file:line data loss (marker line)`.
    static func eventLine(_ e: EventReference) -> String {
        if e.pid < 0 && e.task.isEmpty {
            let when = e.timestamp.map { " at " + timestamp($0) } ?? ""
            return "\(e.file):\(e.line) data loss\(when) (marker line)"
        }
        return "\(e.file):\(e.line) \(timestamp(e.timestamp)) \(e.task)-\(e.pid) \(e.event)"
    }

    public static func render(_ report: AnalysisReport) -> String {
        var out = ""
        for f in report.findings {
            out += "\(f.severity.rawValue): \(f.rule.id) \(f.rule.name)"
            var subject: [String] = []
            if let fs = f.filesystem { subject.append("fs \(fs)") }
            if let r = f.root { subject.append("root \(r)") }
            if let i = f.inode { subject.append("inode \(i)") }
            if let a = f.amount { subject.append("\(a) \(f.unit)") }
            if !subject.isEmpty { out += " [" + subject.joined(separator: ", ") + "]" }
            out += "\n  \(f.message)\n"
            if let io = f.io {
                out += "  I/O: \(io.task)-\(io.pid)"
                if let o = io.offset, let l = io.length { out += " offset \(o) length \(l)" }
                out += " (\(io.source))"
                if let r = io.result { out += " result \(r)" }
                out += "\n"
            }
            if !f.events.isEmpty {
                out += "  events:\n"
                for (i, e) in f.events.enumerated() {
                    if f.elidedEvents > 0 && i == 16 { out += "    ... \(f.elidedEvents) more ...\n" }
                    out += "    " + eventLine(e) + "\n"
                }
            }
            for r in f.reports { out += "  kernel report: \(r.title) (\(r.file):\(r.line); \(r.reason))\n" }
            out += "\n"
        }
        let s = report.statistics
        let errors = report.findings.filter { $0.severity == .error }.count
        let warnings = report.findings.filter { $0.severity == .warning }.count
        let notes = report.findings.count - errors - warnings
        out += "\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s") (\(errors) error, \(warnings) warning, \(notes) note)\n"
        for u in report.unlistedFindings {
            out += "\(u.count) more \(u.rule.id) \(u.severity.rawValue)\(u.count == 1 ? "" : "s") not listed "
                + "(the first \(Ledger.listedFindingsPerRule) of a rule are)\n"
        }
        out += "read \(s.lines) lines, \(s.events) events (\(s.decodedEvents) accounting), format \(s.formats.joined(separator: ", "))\n"
        out += "kernel: \(report.generations.joined(separator: "; "))\n"
        out += TraceStatistics.counters.compactMap { c -> String? in
            let v = s[keyPath: c.value]
            switch c.text {
            case .always: return "\(c.label): \(v)"
            case .whenNonZero: return v > 0 ? "\(c.label): \(v)" : nil
            case .never: return nil
            }
        }.joined(separator: ", ") + "\n"
        if !s.lostEventsByCPU.isEmpty {
            out += "lost events by CPU: " + s.lostEventsByCPU.keys.sorted().map { "cpu\($0) \(s.lostEventsByCPU[$0] ?? 0)" }
                .joined(separator: ", ") + "\n"
        }
        let known = [("comment", s.commentLines), ("call-chain", s.callchainLines), ("function", s.functionLines),
                     ("function_graph", s.functionGraphLines), ("stack trace", s.stackTraceLines)].filter { $0.1 > 0 }
        if !known.isEmpty { out += "non-event lines: " + known.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + "\n" }
        for p in s.problems.prefix(10) { out += "  \(p.kind.rawValue): \(p.file):\(p.line): \(p.message)\n" }
        let evicted = report.inodes.filter(\.evicted).count
        out += "inodes: \(report.inodes.count) (\(evicted) evicted)\n"
        if !report.inodes.isEmpty {
            out += "  " + pad("root", 6) + pad("inode", 9) + pad("outstanding", 12) + pad("delalloc", 10)
                + pad("OEs", 6) + pad("open", 5) + pad("baseline", 9) + "state\n"
            for i in report.inodes.prefix(50) {
                out += "  " + pad(i.root.map(String.init) ?? "-", 6) + pad(String(i.inode), 9)
                    + pad(String(i.outstandingExtents), 12) + pad(String(i.metadataReserved), 10)
                    + pad(String(i.orderedExtentsAdded), 6) + pad(String(i.openOrderedExtents), 5)
                    + pad(i.baseline.rawValue, 9) + (i.evicted ? "evicted" : "live at end") + "\n"
            }
            if report.inodes.count > 50 { out += "  ... \(report.inodes.count - 50) more (see --format json)\n" }
            out += "  (outstanding: exact on 4.15+; delalloc: reserve - release - moved to the delayed inode - used for tree blocks, exact on 4.x and where work-item events are traced)\n"
        }
        return out
    }
}
