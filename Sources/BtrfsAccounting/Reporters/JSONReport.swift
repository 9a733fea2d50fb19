public import ReportOutput
import TraceEvents

/// `--format json`. The schema (stable; documented in README.md "JSON output"):
///
/// ```
/// {"findings":[{"rule","rule_name","severity","fsid","root","inode",   (the first 1000 of each rule)
///               "io":{"task","pid","offset","length","source","result"}|null,
///               "bytes","unit","message",
///               "events":[{"file","line","timestamp","task","pid","event"}],"elided_events",
///               "reports":[{"title","file","line","reason"}]}],
///  "statistics":{<every TraceStatistics.counters key, in table order>,"events_by_name":{name:count},
///                "lost_events_by_cpu":{cpu:count},"lines_by_kind":{kind:count},
///                "formats","generations","problems"},
///  "inodes":[{"fsid","root","inode","outstanding_extents","metadata_reserved",
///             "open_ordered_extents","ordered_extents_added","qgroup_data_reserved","evicted","baseline"}]}
///  (after "findings": "unlisted_findings":[{"rule","severity","count"}], the findings beyond them)
/// ```
/// `bytes` carries the amount in the finding's `unit` (`bytes`, `extents`, `events`);
/// `timestamp` is trace-clock nanoseconds or null.
public enum JSONReport: ReportWriter {
    public typealias Subject = AnalysisReport
    public static let format = "json"

    public static func render(_ report: AnalysisReport) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("findings")
        for f in report.findings {
            w.beginObject()
            w.string("rule", f.rule.id)
            w.string("rule_name", f.rule.name)
            w.string("severity", f.severity.rawValue)
            w.string("fsid", f.filesystem?.description)
            w.int("root", f.root)
            w.int("inode", f.inode)
            if let io = f.io {
                w.beginObject("io")
                w.string("task", io.task)
                w.int("pid", io.pid)
                w.int("offset", io.offset)
                w.int("length", io.length)
                w.string("source", io.source)
                w.int("result", io.result)
                w.endObject()
            } else {
                w.raw("io", "null")
            }
            w.int("bytes", f.amount)
            w.string("unit", f.unit.rawValue)
            w.string("message", f.message)
            w.beginArray("events")
            for e in f.events {
                w.beginObject()
                w.string("file", e.file)
                w.int("line", e.line)
                w.int("timestamp", e.timestamp)
                w.string("task", e.task)
                w.int("pid", e.pid)
                w.string("event", e.event)
                w.endObject()
            }
            w.endArray()
            w.int("elided_events", f.elidedEvents)
            w.beginArray("reports")
            for r in f.reports {
                w.beginObject()
                w.string("title", r.title)
                w.string("file", r.file)
                w.int("line", r.line)
                w.string("reason", r.reason)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        // Findings beyond the first of each rule: counted by rule and severity, not listed.
        w.beginArray("unlisted_findings")
        for u in report.unlistedFindings {
            w.beginObject()
            w.string("rule", u.rule.id)
            w.string("severity", u.severity.rawValue)
            w.int("count", u.count)
            w.endObject()
        }
        w.endArray()
        let s = report.statistics
        w.beginObject("statistics")
        for counter in TraceStatistics.counters { w.int(counter.key, s[keyPath: counter.value]) }
        w.beginObject("events_by_name")
        for name in s.eventsByName.keys.sorted() { w.int(name, s.eventsByName[name]) }
        w.endObject()
        // Only the CPUs that lost events (empty when none did).
        w.beginObject("lost_events_by_cpu")
        for cpu in s.lostEventsByCPU.keys.sorted() { w.int(String(cpu), s.lostEventsByCPU[cpu]) }
        w.endObject()
        w.beginObject("lines_by_kind")
        for (kind, count) in s.linesByKind { w.int(kind, count) }
        w.endObject()
        w.beginArray("formats")
        for f in s.formats { w.string(nil, f) }
        w.endArray()
        w.beginArray("generations")
        for g in report.generations { w.string(nil, g) }
        w.endArray()
        w.beginArray("problems")
        for p in s.problems {
            w.beginObject()
            w.string("kind", p.kind.rawValue)
            w.string("file", p.file)
            w.int("line", p.line)
            w.string("message", p.message)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.beginArray("inodes")
        for i in report.inodes {
            w.beginObject()
            w.string("fsid", i.filesystem?.description)
            w.int("root", i.root)
            w.int("inode", i.inode)
            w.int("outstanding_extents", i.outstandingExtents)
            w.int("metadata_reserved", i.metadataReserved)
            w.int("open_ordered_extents", i.openOrderedExtents)
            w.int("ordered_extents_added", i.orderedExtentsAdded)
            w.int("qgroup_data_reserved", i.qgroupDataReserved)
            w.bool("evicted", i.evicted)
            w.string("baseline", i.baseline.rawValue)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output + "\n"
    }
}
