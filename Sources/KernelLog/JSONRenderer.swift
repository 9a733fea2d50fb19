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
public enum JSONRenderer {
    public static func render(_ reports: [KernelReport]) -> String {
        render(DecodedKernelLog(reports: reports, stackDumps: []))
    }

    /// Reports, then `"stack_dumps"` (call traces outside reports: task dumps, backtraces).
    public static func render(_ log: DecodedKernelLog) -> String {
        var out = "{\"reports\":[" + log.reports.map(render).joined(separator: ",") + "]"
        out += ",\"stack_dumps\":[" + log.stackDumps.map(render).joined(separator: ",") + "]"
        return out + "}\n"
    }

    static func render(_ dump: StackDump) -> String {
        var fields: [String] = []
        fields.append(pair("header", optional(dump.header)))
        fields.append(pair("comm", optional(dump.comm)))
        fields.append(pair("pid", number(dump.pid)))
        fields.append(pair("ppid", number(dump.parentPID)))
        fields.append(pair("state", optional(dump.state)))
        fields.append(pair("cpu", number(dump.cpu)))
        fields.append(pair("time", optional(dump.timestamp.map { "\($0)" })))
        fields.append(pair("frames", "[" + dump.frames.map(render).joined(separator: ",") + "]"))
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func render(_ report: KernelReport) -> String {
        var fields: [String] = []
        fields.append(pair("kind", string(report.kind.rawValue)))
        fields.append(pair("title", string(report.title)))
        fields.append(pair("title_source", string(report.titleSource.rawValue)))
        fields.append(pair("syzkaller_title", string(report.syzkallerTitle)))
        fields.append(pair("guilty_frame", optional(report.guiltyFrame)))
        fields.append(pair("corrupted", report.corrupted ? "true" : "false"))
        fields.append(pair("corruption_reason", optional(report.corruptionReason)))
        fields.append(pair("cpu", number(report.cpu)))
        fields.append(pair("pid", number(report.pid)))
        fields.append(pair("comm", optional(report.comm)))
        fields.append(pair("kernel", optional(report.kernelVersion)))
        fields.append(pair("location", location(report.location)))
        fields.append(pair("frames", "[" + report.frames.map(render).joined(separator: ",") + "]"))
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func render(_ frame: StackFrame) -> String {
        var fields: [String] = []
        fields.append(pair("address", hex(frame.address)))
        fields.append(pair("function", optional(frame.function)))
        fields.append(pair("offset", hex(frame.offset)))
        fields.append(pair("size", hex(frame.size)))
        fields.append(pair("module", optional(frame.module)))
        fields.append(pair("build_id", optional(frame.buildID)))
        fields.append(pair("reliable", frame.reliable ? "true" : "false"))
        fields.append(pair("context", optional(frame.context?.rawValue)))
        fields.append(pair("file", optional(frame.file)))
        fields.append(pair("line", number(frame.line)))
        fields.append(pair("inlined", inline(frame.inlined)))
        fields.append(pair("printed_location", location(frame.printedLocation)))
        fields.append(pair("printed_inline", inline(frame.printedInline)))
        return "{" + fields.joined(separator: ",") + "}"
    }

    private static func pair(_ key: String, _ value: String) -> String { string(key) + ":" + value }
    private static func location(_ value: SourceLocation?) -> String {
        value.map { "{" + pair("file", string($0.file)) + "," + pair("line", String($0.line)) + "}" } ?? "null"
    }
    private static func inline(_ entries: [InlineEntry]) -> String {
        "[" + entries.map { entry in
            "{" + pair("function", string(entry.function)) + "," + pair("file", optional(entry.file)) + ","
                + pair("line", number(entry.line)) + "}"
        }.joined(separator: ",") + "]"
    }
    private static func optional(_ value: String?) -> String { value.map(string) ?? "null" }
    private static func number(_ value: Int?) -> String { value.map { String($0) } ?? "null" }
    private static func hex(_ value: UInt64?) -> String { value.map { "\"0x" + String($0, radix: 16) + "\"" } ?? "null" }

    /// A JSON string literal; invalid UTF-8 was already replaced when the text was decoded.
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let digits = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
