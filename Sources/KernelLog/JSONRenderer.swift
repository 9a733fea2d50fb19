public import ReportOutput

/// Renders reports as JSON with a fixed key order (written by hand, no Foundation).
///
/// Schema (also in `docs/decode-json.md`):
///
/// ```
/// {"stack_dumps": [ {header, comm, pid, ppid, state, cpu, time, frames} ],   // after "reports"
///  "reports":[{
///    "kind": "WARNING" | "BUG" | "KERNEL_BUG" | "OOPS" | "GPF" | "PAGE_FAULT" | "KASAN" | "KMSAN" | "KCSAN" | "KFENCE"
///            | "UBSAN" | "LEAK" | "LOCKDEP" | "HANG" | "RCU_STALL" | "SOFT_LOCKUP" | "PANIC" | "OTHER",
///    "title": string,                 // syzkaller-compatible title, or the header's function (title_source)
///    "title_source": "report" | "header",
///    "syzkaller_title": string,       // what syzkaller says ("… in corrupted" where title_source is "header")
///    "guilty_frame": string | null,
///    "corrupted": bool,
///    "corruption_reason": string | null,
///    "cpu": int | null, "pid": int | null, "comm": string | null,
///    "kernel": string | null,          // kernel release from the CPU: line
///    "location": {"file": string, "line": int} | null,   // from the header
///    "frames": [{
///       "address": "0x…" | null,      // hex strings: 64-bit values do not fit JSON numbers
///       "function": string | null,
///       "offset": "0x…" | null, "size": "0x…" | null,
///       "module": string | null, "build_id": string | null,
///       "reliable": bool,
///       "context": "TASK" | "IRQ" | "SOFTIRQ" | "NMI" | "EXCEPTION" | "#DF" | "OTHER" | null,
///       "file": string | null, "line": int | null,
///       "inlined": [{"function": string, "file": string | null, "line": int | null}],
///       "printed_location": {"file": string, "line": int} | null,   // as printed (decode_stacktrace.sh, LINEINFO)
///       "printed_inline": [{"function": string, "file": string | null, "line": int | null}]  // as printed, innermost first
///    }]
/// }]}
/// ```
public enum JSONRenderer: ReportWriter {
    /// The whole `decode --format json` document: reports and stack dumps.
    public typealias Subject = DecodedKernelLog
    public static let format = "json"

    public static func render(_ reports: [KernelReport]) -> String {
        render(DecodedKernelLog(reports: reports, stackDumps: []))
    }

    /// Reports, then `"stack_dumps"` (call traces outside reports: task dumps, backtraces).
    public static func render(_ log: DecodedKernelLog) -> String {
        var w = JSONWriter()
        w.object { w in
            w.array("reports") { w in
                for report in log.reports { write(report, &w) }
            }
            w.array("stack_dumps") { w in
                for dump in log.stackDumps { write(dump, &w) }
            }
        }
        return w.output + "\n"
    }

    static func write(_ dump: StackDump, _ w: inout JSONWriter) {
        w.object { w in
            w.string("header", dump.header)
            w.string("comm", dump.comm)
            w.int("pid", dump.pid)
            w.int("ppid", dump.parentPID)
            w.string("state", dump.state)
            w.int("cpu", dump.cpu)
            w.string("time", dump.timestamp.map { "\($0)" })
            w.array("frames") { w in
                for frame in dump.frames { write(frame, &w) }
            }
        }
    }

    static func write(_ report: KernelReport, _ w: inout JSONWriter) {
        w.object { w in
            w.string("kind", report.kind.rawValue)
            w.string("title", report.title)
            w.string("title_source", report.titleSource.rawValue)
            w.string("syzkaller_title", report.syzkallerTitle)
            w.string("guilty_frame", report.guiltyFrame)
            w.bool("corrupted", report.corrupted)
            w.string("corruption_reason", report.corruptionReason)
            w.int("cpu", report.cpu)
            w.int("pid", report.pid)
            w.string("comm", report.comm)
            w.string("kernel", report.kernelVersion)
            write(report.location, key: "location", &w)
            w.array("frames") { w in
                for frame in report.frames { write(frame, &w) }
            }
        }
    }

    static func write(_ frame: StackFrame, _ w: inout JSONWriter) {
        w.object { w in
            w.string("address", hex(frame.address))
            w.string("function", frame.function)
            w.string("offset", hex(frame.offset))
            w.string("size", hex(frame.size))
            w.string("module", frame.module)
            w.string("build_id", frame.buildID)
            w.bool("reliable", frame.reliable)
            w.string("context", frame.context?.rawValue)
            w.string("file", frame.file)
            w.int("line", frame.line)
            write(frame.inlined, key: "inlined", &w)
            write(frame.printedLocation, key: "printed_location", &w)
            write(frame.printedInline, key: "printed_inline", &w)
        }
    }

    private static func write(_ location: SourceLocation?, key: String, _ w: inout JSONWriter) {
        guard let location else { w.null(key); return }
        w.object(key) { w in
            w.string("file", location.file)
            w.int("line", location.line)
        }
    }

    private static func write(_ entries: [InlineEntry], key: String, _ w: inout JSONWriter) {
        w.array(key) { w in
            for entry in entries {
                w.object { w in
                    w.string("function", entry.function)
                    w.string("file", entry.file)
                    w.int("line", entry.line)
                }
            }
        }
    }

    /// 64-bit values do not fit JSON numbers: `"0x…"`.
    private static func hex(_ value: UInt64?) -> String? { value.map { "0x" + String($0, radix: 16) } }

    /// A JSON string literal (`JSONWriter.escape`, the one escaping of the package).
    static func string(_ value: String) -> String { JSONWriter.escape(value) }
}
