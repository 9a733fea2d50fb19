import TraceEvents

/// `--format json`. The schema (stable; documented in README.md "JSON output"):
///
/// ```
/// {"findings":[{"rule","rule_name","severity","fsid","root","inode",
///               "io":{"task","pid","offset","length","source","result"}|null,
///               "bytes","unit","message",
///               "events":[{"file","line","timestamp","task","pid","event"}],"elided_events",
///               "reports":[{"title","file","line","reason"}]}],
///  "statistics":{"lines","events","decoded_events","events_by_name":{name:count},
///                "lines_by_kind":{"event","blank","comment","callchain","function","function_graph",
///                                 "stack_trace","data_loss","unrecognized","overlong"},"unrecognized_lines",
///                "malformed_lines","lost_events", ...},
///  "inodes":[{"fsid","root","inode","outstanding_extents","metadata_reserved",
///             "open_ordered_extents","ordered_extents_added","qgroup_data_reserved","evicted","baseline"}]}
/// ```
/// `bytes` carries the amount in the finding's `unit` (`bytes`, `extents`, `events`);
/// `timestamp` is trace-clock nanoseconds or null.
public enum JSONReport {
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
        let s = report.statistics
        w.beginObject("statistics")
        w.int("lines", s.lines)
        w.int("events", s.events)
        w.int("decoded_events", s.decodedEvents)
        w.beginObject("events_by_name")
        for name in s.eventsByName.keys.sorted() { w.int(name, s.eventsByName[name]) }
        w.endObject()
        w.beginObject("lines_by_kind")
        for (kind, count) in s.linesByKind { w.int(kind, count) }
        w.endObject()
        w.int("unrecognized_lines", s.unrecognizedLines)
        w.int("malformed_lines", s.malformedLines)
        w.int("lost_events", s.lostEvents)
        w.int("data_loss_markers", s.dataLossMarkers)
        w.int("overlong_lines", s.overlongLines)
        w.int("unterminated_lines", s.unterminatedLines)
        w.int("timestamps_backwards", s.timestampsBackwards)
        w.int("bytes", s.bytes)
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
