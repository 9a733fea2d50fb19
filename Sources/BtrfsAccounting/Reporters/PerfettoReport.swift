public import ReportOutput
import TraceEvents

/// `--format perfetto`: the Trace Event Format (JSON object form) that ui.perfetto.dev and
/// chrome://tracing open. One process per filesystem (`process_name`), one thread per task
/// (`thread_name` = `comm-pid`); per inode a counter event (`"ph":"C"`) each time one of its
/// balances moved; direct-I/O windows as complete slices (`"ph":"X"`, with `dur`) on the writing
/// task's thread; findings, evictions and unmounts as instant events (`"ph":"i"` with scope
/// `"s"`); lost-event windows as slices on the `trace` thread (tid 0). `ts` and `dur` are
/// microseconds with nanosecond decimals. Events are sorted by time; metadata events come first.
public enum PerfettoReport: ReportWriter {
    public typealias Subject = AnalysisReport
    public static let format = "perfetto"

    struct Event {
        var ts: UInt64
        var order: Int
        var write: (inout JSONWriter) -> Void
    }

    public static func render(_ report: AnalysisReport) -> String {
        let timeline = report.timeline
        var pids: [FilesystemID?: Int] = [:]
        var fsList = timeline.filesystems
        for f in report.findings where !fsList.contains(f.filesystem) { fsList.append(f.filesystem) }
        for (i, fs) in fsList.enumerated() { pids[fs] = i + 1 }
        var threads: [ThreadKey: String] = [:]
        var events: [Event] = []
        func add(_ ts: UInt64, _ write: @escaping (inout JSONWriter) -> Void) {
            events.append(Event(ts: ts, order: events.count, write: write))
        }
        for track in timeline.tracks {
            let pid = pids[track.filesystem] ?? 0
            let name = "inode \(track.inode) (root \(track.root))"
            for s in track.samples {
                add(s.timestamp) { w in
                    common(w: &w, name: name, ph: "C", ts: s.timestamp, pid: pid, tid: 0, cat: "balance")
                    w.object("args") { w in
                        w.int("outstanding_extents", s.outstandingExtents)
                        w.int("metadata_reserved_bytes", s.metadataReserved)
                        w.int("data_reserved_bytes", s.dataReserved)
                        w.int("open_ordered_extents", s.openOrderedExtents)
                    }
                }
            }
        }
        var lanes = LaneAssigner()
        for window in timeline.windows.sorted(by: { ($0.begin, $0.line) < ($1.begin, $1.line) }) {
            let pid = pids[window.filesystem] ?? 0
            let end = max(window.end ?? window.begin, window.begin)
            let tid = lanes.thread(pid: pid, task: window.io.pid, begin: window.begin, end: end)
            threads[ThreadKey(pid: pid, tid: tid)] = window.io.task + "-\(window.io.pid)" + (tid == Int64(window.io.pid) ? "" : " (overlapping)")
            var name = "direct write"
            if let o = window.io.offset, let l = window.io.length { name += " " + EventNarration.range(o, l) }
            add(window.begin) { w in
                common(w: &w, name: name, ph: "X", ts: window.begin, pid: pid, tid: tid, cat: window.failed ? "io,failed" : "io")
                w.raw("dur", micros(end - window.begin))
                w.object("args") { w in
                    w.int("inode", window.inode)
                    w.int("result", window.io.result)
                    w.bool("failed", window.failed)
                    w.string("source", window.io.source)
                    w.string("trace_line", "\(window.file):\(window.line)")
                }
            }
        }
        for mark in timeline.marks {
            let pid = pids[mark.filesystem] ?? 0
            switch mark.kind {
            case .lostEvents:
                threads[ThreadKey(pid: pid, tid: 0)] = "trace"
                add(mark.begin) { w in
                    common(w: &w, name: mark.text, ph: "X", ts: mark.begin, pid: pid, tid: 0, cat: "lost")
                    w.raw("dur", micros(mark.end - mark.begin))
                    w.object("args") { w in w.string("trace_line", "\(mark.file):\(mark.line)") }
                }
            case .eviction, .unmount:
                threads[ThreadKey(pid: pid, tid: 0)] = "trace"
                add(mark.begin) { w in
                    common(w: &w, name: mark.text, ph: "i", ts: mark.begin, pid: pid, tid: 0, cat: mark.kind.rawValue)
                    w.string("s", mark.kind == .unmount ? "p" : "t")
                    w.object("args") { w in w.string("trace_line", "\(mark.file):\(mark.line)") }
                }
            }
        }
        for (n, finding) in report.findings.enumerated() {
            guard let ts = finding.events.compactMap(\.timestamp).last else { continue }
            let pid = pids[finding.filesystem] ?? 0
            add(ts) { w in
                common(w: &w, name: "#\(n + 1) \(finding.rule.id) \(finding.rule.name)", ph: "i", ts: ts, pid: pid, tid: 0,
                       cat: "finding," + finding.severity.rawValue)
                w.string("s", "p")
                w.object("args") { w in
                    w.string("message", finding.message)
                    w.string("severity", finding.severity.rawValue)
                    w.int("inode", finding.inode)
                    w.int("amount", finding.amount)
                    w.string("unit", finding.unit.rawValue)
                    w.array("chain") { w in
                        for e in finding.events { w.string(nil, "\(e.file):\(e.line) \(e.task)-\(e.pid) \(e.event)") }
                    }
                }
            }
        }
        var w = JSONWriter()
        w.object { w in
            w.array("traceEvents") { w in
                for fs in fsList {
                    let pid = pids[fs] ?? 0
                    w.object { w in
                        common(w: &w, name: "process_name", ph: "M", ts: 0, pid: pid, tid: 0, cat: nil)
                        w.object("args") { w in w.string("name", "btrfs " + (fs?.description ?? "(no fsid)")) }
                    }
                }
                for key in threads.keys.sorted(by: { ($0.pid, $0.tid) < ($1.pid, $1.tid) }) {
                    w.object { w in
                        common(w: &w, name: "thread_name", ph: "M", ts: 0, pid: key.pid, tid: key.tid, cat: nil)
                        w.object("args") { w in w.string("name", threads[key] ?? "") }
                    }
                }
                for e in events.sorted(by: { ($0.ts, $0.order) < ($1.ts, $1.order) }) {
                    w.object { w in e.write(&w) }
                }
            }
            w.string("displayTimeUnit", "ns")
            w.object("otherData") { w in
                w.string("generator", "dio-trace")
                w.array("inputs") { w in for i in report.inputs { w.string(nil, i) } }
                w.int("thinned_samples", timeline.tracks.reduce(0) { $0 + $1.thinned })
                w.int("dropped_tracks", timeline.droppedTracks)
                w.int("dropped_windows", timeline.droppedWindows)
                w.int("dropped_marks", timeline.droppedMarks)
            }
        }
        return w.output + "\n"
    }

    struct ThreadKey: Hashable { var pid: Int; var tid: Int64 }

    static func common(w: inout JSONWriter, name: String, ph: String, ts: UInt64, pid: Int, tid: Int64, cat: String?) {
        w.string("name", name)
        if let cat { w.string("cat", cat) }
        w.string("ph", ph)
        w.raw("ts", micros(ts))
        w.int("pid", pid)
        w.int("tid", tid)
    }

    /// Nanoseconds as microseconds with three decimals: `295436505.000`.
    static func micros(_ ns: UInt64) -> String {
        let frac = String(ns % 1000)
        return "\(ns / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    /// Complete slices on one thread must nest: a window that overlaps the task's previous one
    /// without nesting goes to an extra lane thread of that task.
    struct LaneAssigner {
        var lastEnd: [ThreadKey: UInt64] = [:]

        mutating func thread(pid: Int, task: Int32, begin: UInt64, end: UInt64) -> Int64 {
            var lane: Int64 = 0
            while true {
                let tid = lane == 0 ? Int64(task) : (Int64(1) << 40) + Int64(task) * 64 + lane
                let key = ThreadKey(pid: pid, tid: tid)
                if lastEnd[key].map({ $0 <= begin }) ?? true || lane >= 63 {
                    lastEnd[key] = end
                    return tid
                }
                lane += 1
            }
        }
    }
}
