public import ReportOutput

/// Renders reports as a decoded, human-readable listing:
///
/// ```
/// WARNING in btrfs_destroy_inode [WARNING]
///   header:   WARNING: CPU: 3 PID: 2769 at fs/btrfs/inode.c:8967 btrfs_destroy_inode+0x284/0x2a0()
///   time:     399.860119  cpu 3  pid 2769  comm umount  caller T2769
///   kernel:   4.2.0-rc5+  tainted: G W  hardware: QEMU Standard PC
///   location: fs/btrfs/inode.c:8967
///   guilty:   btrfs_destroy_inode
///   frames:
///     RIP btrfs_destroy_inode+0x284/0x2a0 fs/btrfs/inode.c:8967
///          btrfs_inode_leak fs/btrfs/inode.c:40 [inline]
///     #1  destroy_inode+0x3b/0x60 fs/inode.c:264
/// ```
public enum TextRenderer: ReportWriter {
    public typealias Subject = [KernelReport]
    public static let format = "text"

    public static func render(_ reports: [KernelReport]) -> String {
        reports.map(render).joined(separator: "\n")
    }

    public static func render(_ report: KernelReport) -> String {
        var out = "\(report.title) [\(report.kind.rawValue)]\n"
        out += "  header:   \(report.header)\n"
        var facts: [String] = []
        if let timestamp = report.timestamp { facts.append("time \(timestamp)") }
        if let cpu = report.cpu { facts.append("cpu \(cpu)") }
        if let pid = report.pid { facts.append("pid \(pid)") }
        if let comm = report.comm { facts.append("comm \(comm)") }
        if let caller = report.caller { facts.append("caller \(caller)") }
        if !facts.isEmpty { out += "  task:     " + facts.joined(separator: "  ") + "\n" }
        var system: [String] = []
        if let kernel = report.kernelVersion { system.append("kernel \(kernel)") }
        if let taint = report.taint { system.append("tainted: \(taint)") }
        if let hardware = report.hardwareName { system.append("hardware: \(hardware)") }
        if !system.isEmpty { out += "  system:   " + system.joined(separator: "  ") + "\n" }
        if let location = report.location { out += "  location: \(location)\n" }
        if let guilty = report.guiltyFrame {
            out += "  guilty:   \(guilty)" + (report.titleSource == .header ? " (from the header: no usable frame)" : "") + "\n"
        }
        if report.corrupted { out += "  corrupted: \(report.corruptionReason ?? "yes")\n" }
        if !report.modules.isEmpty { out += "  modules:  " + report.modules.joined(separator: " ") + "\n" }
        if !report.frames.isEmpty {
            out += "  frames:\n" + renderFrames(report.frames)
        }
        return out
    }

    /// Stack dumps (task dumps, backtraces) after the reports, each with its owner and frames.
    public static func render(_ dumps: [StackDump]) -> String {
        dumps.map { dump in
            var facts: [String] = []
            if let timestamp = dump.timestamp { facts.append("time \(timestamp)") }
            if let comm = dump.comm { facts.append("comm \(comm)") }
            if let pid = dump.pid { facts.append("pid \(pid)") }
            if let state = dump.state { facts.append("state \(state)") }
            if let cpu = dump.cpu { facts.append("cpu \(cpu)") }
            if let caller = dump.caller { facts.append("caller \(caller)") }
            var out = "stack dump" + (facts.isEmpty ? "" : ": " + facts.joined(separator: "  ")) + "\n"
            if let header = dump.header { out += "  header:   \(header)\n" }
            return out + "  frames:\n" + renderFrames(dump.frames)
        }.joined(separator: "\n")
    }

    static func renderFrames(_ frames: [StackFrame]) -> String {
        var out = ""
        do {
            var number = 0
            var section: String?
            var context: StackContext?
            for frame in frames {
                if frame.section != section, let name = frame.section { out += "   \(name):\n" }
                section = frame.section
                if frame.context != context, let context = frame.context { out += "    <\(context.rawValue)>\n" }
                context = frame.context
                let label = frame.isTrapPC ? "PC " : "#\(number)" + String(repeating: " ", count: max(0, 3 - String(number).count))
                if !frame.isTrapPC { number += 1 }
                var line = "    \(label) " + (frame.reliable ? "" : "? ") + frame.symbolText
                if let file = frame.file {
                    line += " \(file)" + (frame.line.map { ":\($0)" } ?? "")
                } else if let printed = frame.printedLocation {
                    line += " \(printed)"
                }
                out += line + "\n"
                for entry in frame.inlined + (frame.file == nil ? frame.printedInline : []) {
                    out += "         \(entry.function)" + (entry.file.map { " \($0)" } ?? "")
                        + (entry.line.map { ":\($0)" } ?? "") + " [inline]\n"
                }
                for diagnostic in frame.diagnostics { out += "         note: \(diagnostic)\n" }
            }
        }
        return out
    }
}
