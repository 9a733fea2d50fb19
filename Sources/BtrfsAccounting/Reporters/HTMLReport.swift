public import ReportOutput
import TraceEvents

/// `--format html`: one self-contained page (no network, no external script): per filesystem a
/// timeline with a track per inode (outstanding extents, metadata and data reserved, open ordered
/// extents over time), direct-I/O windows as bars per task, evictions and the unmount marked,
/// lost-event windows shaded, and the findings as markers that open their story and highlight
/// their event chain; zoom (wheel, buttons) and pan (drag).
///
/// Bounded whatever the trace size: per filesystem at most `trackLimit` tracks (inodes with
/// findings first) of at most `pointsPerTrack` points (each bucket keeps its extreme sample),
/// `windowLimit` windows (failed ones first) and `markLimit` marks; chains are exact (they come
/// from the findings). The page says what it left out.
public enum HTMLReport: ReportWriter {
    public typealias Subject = AnalysisReport
    public static let format = "html"
    static let trackLimit = 48
    static let pointsPerTrack = 800
    static let windowLimit = 4000
    static let markLimit = 4000

    public static func render(_ report: AnalysisReport) -> String {
        let stories = FindingStory.make(report)
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<title>dio-trace: \(HTMLStory.escape(report.inputs.joined(separator: ", ")))</title>\n"
        out += "<style>\n" + HTMLReportAssets.style + "</style>\n</head>\n<body>\n"
        out += "<header><h1>dio-trace</h1><p class=\"inputs\">\(HTMLStory.escape(report.inputs.joined(separator: ", ")))</p>"
        let errors = report.findings.filter { $0.severity == .error }.count
        out += "<p class=\"summary\">\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s") (\(errors) error) · "
        out += "\(report.statistics.events) events · \(report.inodes.count) inodes</p>"
        out += "<p class=\"help\">Wheel or +/− to zoom, drag to pan, click a finding marker (◆) to open its story and highlight its event chain.</p></header>\n"
        out += "<aside id=\"stories\">\n"
        out += "<ol class=\"finding-list\">\n"
        for s in stories {
            out += "<li><a href=\"#story-\(s.index)\" class=\"finding-link\" data-finding=\"\(s.index)\">#\(s.index) \(HTMLStory.escape(s.rule.id)) \(HTMLStory.escape(s.rule.name))</a> <span class=\"subject\">\(HTMLStory.escape(s.subject))</span></li>\n"
        }
        out += "</ol>\n"
        for s in stories { out += HTMLStory.render(s) }
        out += "</aside>\n<main id=\"timelines\"></main>\n"
        out += "<script type=\"application/json\" id=\"dio-data\">" + scriptSafe(data(report)) + "</script>\n"
        out += "<script>\n" + HTMLReportAssets.script + "</script>\n</body>\n</html>\n"
        return out
    }

    /// JSON inside `<script>`: no `<` may appear (`</script>` or `<!--` would end or change the
    /// element); `\u003c` is the same JSON string character.
    public static func scriptSafe(_ json: String) -> String {
        var out = ""
        out.reserveCapacity(json.utf8.count)
        for c in json.unicodeScalars {
            if c == "<" { out += "\\u003c" } else { out.unicodeScalars.append(c) }
        }
        return out
    }

    /// The page's data, through the one JSON writer.
    static func data(_ report: AnalysisReport) -> String {
        let timeline = report.timeline
        var fsList = timeline.filesystems
        for f in report.findings where !fsList.contains(f.filesystem) { fsList.append(f.filesystem) }
        let t0 = ([timeline.tracks.compactMap { $0.samples.first?.timestamp }, timeline.windows.map(\.begin),
                   timeline.marks.map(\.begin), report.findings.flatMap { $0.events.compactMap(\.timestamp) }].flatMap { $0 }).min() ?? 0
        var w = JSONWriter()
        w.object { w in
            w.int("t0", t0)
            w.array("filesystems") { w in
                for fs in fsList { filesystem(fs, report, t0: t0, &w) }
            }
        }
        return w.output
    }

    static func filesystem(_ fs: FilesystemID?, _ report: AnalysisReport, t0: UInt64, _ w: inout JSONWriter) {
        let timeline = report.timeline
        let findings = report.findings.enumerated().filter { $0.element.filesystem == fs }
        let findingInodes = Set(findings.compactMap { $0.element.inode })
        let all = timeline.tracks.filter { $0.filesystem == fs }
        let chosen = all.enumerated().sorted { a, b in
            let fa = findingInodes.contains(a.element.inode), fb = findingInodes.contains(b.element.inode)
            if fa != fb { return fa }
            if a.element.samples.count != b.element.samples.count { return a.element.samples.count > b.element.samples.count }
            return a.offset < b.offset
        }.prefix(trackLimit).map(\.element)
        let windows = timeline.windows.filter { $0.filesystem == fs }
        let keptWindows = windows.enumerated().sorted { a, b in
            let ka = (a.element.failed ? 0 : 1) + (findingInodes.contains(a.element.inode ?? 0) ? 0 : 2)
            let kb = (b.element.failed ? 0 : 1) + (findingInodes.contains(b.element.inode ?? 0) ? 0 : 2)
            return ka != kb ? ka < kb : a.offset < b.offset
        }.prefix(windowLimit).sorted { $0.offset < $1.offset }.map(\.element)
        let marks = timeline.marks.filter { $0.filesystem == fs }
        let keptMarks = marks.enumerated().sorted { a, b in
            let ka = a.element.kind == .eviction && !findingInodes.contains(a.element.inode ?? 0) ? 1 : 0
            let kb = b.element.kind == .eviction && !findingInodes.contains(b.element.inode ?? 0) ? 1 : 0
            return ka != kb ? ka < kb : a.offset < b.offset
        }.prefix(markLimit).sorted { $0.offset < $1.offset }.map(\.element)
        w.object { w in
            w.string("id", fs?.description ?? "(no fsid)")
            w.object("left_out") { w in
                w.int("tracks", all.count - chosen.count + timeline.droppedTracks)
                w.int("windows", windows.count - keptWindows.count + timeline.droppedWindows)
                w.int("marks", marks.count - keptMarks.count + timeline.droppedMarks)
                w.int("thinned_points", all.reduce(0) { $0 + $1.thinned })
            }
            w.array("tracks") { w in
                for track in chosen {
                    let points = decimate(track.samples, to: pointsPerTrack)
                    w.object { w in
                        w.int("inode", track.inode)
                        w.int("root", track.root)
                        w.bool("finding", findingInodes.contains(track.inode))
                        w.array("t") { w in for p in points { w.int(nil, p.timestamp - t0) } }
                        w.object("v") { w in
                            for kind in [BalanceKind.outstandingExtents, .metadataReserved, .dataReserved, .openOrderedExtents] {
                                w.array(key(kind)) { w in for p in points { w.int(nil, p.value(kind)) } }
                            }
                        }
                    }
                }
            }
            w.array("windows") { w in
                for win in keptWindows {
                    w.object { w in
                        w.string("task", "\(win.io.task)-\(win.io.pid)")
                        w.int("inode", win.inode)
                        w.int("b", win.begin - t0)
                        w.int("e", max(win.end ?? win.begin, win.begin) - t0)
                        w.bool("failed", win.failed)
                        var label = "direct write"
                        if let o = win.io.offset, let l = win.io.length { label += " " + EventNarration.range(o, l) }
                        label += ": " + FindingStory.resultText(win.io)
                        w.string("label", label)
                        w.string("line", "\(win.file):\(win.line)")
                    }
                }
            }
            w.array("marks") { w in
                for m in keptMarks {
                    w.object { w in
                        w.string("kind", m.kind.rawValue)
                        w.int("inode", m.inode)
                        w.int("b", m.begin - t0)
                        w.int("e", m.end - t0)
                        w.string("text", m.text)
                        w.string("line", "\(m.file):\(m.line)")
                    }
                }
            }
            w.array("findings") { w in
                for (n, f) in findings {
                    w.object { w in
                        w.int("n", n + 1)
                        w.string("rule", f.rule.id)
                        w.string("name", f.rule.name)
                        w.string("severity", f.severity.rawValue)
                        w.int("inode", f.inode)
                        w.string("message", f.message)
                        w.int("t", (f.events.compactMap(\.timestamp).last ?? t0) - t0)
                        w.array("chain") { w in
                            for e in f.events {
                                w.object { w in
                                    w.int("t", e.timestamp.map { $0 - min($0, t0) })
                                    w.string("task", "\(e.task)-\(e.pid)")
                                    w.string("text", EventNarration.describe(e.operation, event: e.event))
                                    w.string("line", "\(e.file):\(e.line)")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func key(_ kind: BalanceKind) -> String {
        switch kind {
        case .outstandingExtents: "outstanding_extents"
        case .metadataReserved: "metadata_reserved"
        case .dataReserved: "data_reserved"
        case .openOrderedExtents: "open_ordered_extents"
        case .qgroupData: "qgroup_data"
        case .bytesMayUse: "bytes_may_use"
        }
    }

    /// At most `limit` points: the first and the last sample, and per bucket the sample whose
    /// balances are largest (a leak's plateau and peaks survive).
    static func decimate(_ samples: [Timeline.Sample], to limit: Int) -> [Timeline.Sample] {
        guard samples.count > limit, limit >= 3 else { return samples }
        let buckets = limit - 2
        var out = [samples[0]]
        let inner = samples.count - 2
        for b in 0..<buckets {
            let lo = 1 + b * inner / buckets, hi = 1 + (b + 1) * inner / buckets
            guard lo < hi else { continue }
            let best = samples[lo..<hi].max { a, c in magnitude(a) < magnitude(c) }
            if let best { out.append(best) }
        }
        out.append(samples[samples.count - 1])
        return out
    }

    static func magnitude(_ s: Timeline.Sample) -> Int64 {
        s.metadataReserved.magnitude > 0 || s.dataReserved != 0
            ? Int64(clamping: s.metadataReserved.magnitude &+ s.dataReserved.magnitude) : s.outstandingExtents.magnitude > 0 ? Int64(clamping: s.outstandingExtents.magnitude) : s.openOrderedExtents
    }
}

