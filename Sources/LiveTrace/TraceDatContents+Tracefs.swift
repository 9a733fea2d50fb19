#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import TraceDat

extension TraceDatContents {
    /// A trace.dat's contents after a capture: the page and event headers, the formats of the
    /// ftrace events and of `events` (`system:name`), kallsyms, printk formats, the saved
    /// command lines, uname and per-CPU statistics, read from tracefs and procfs, and `pages`.
    ///
    /// Read it before the tracing state is restored: the format of a kprobe vanishes with it.
    /// Formats of events that vanished meanwhile are left out; kallsyms is empty when unreadable.
    public static func read(from tracefs: Tracefs, events: [String], pages: [RawTraceCapture.CPUPages],
                            pageSize: Int) throws(LiveTraceError) -> TraceDatContents {
        var ftrace: [[UInt8]] = []
        for name in try FileIO.listDirectory(tracefs.path("events/ftrace")) {
            if let format = try? FileIO.readBytes(tracefs.path("events/ftrace/\(name)/format")) { ftrace.append(format) }
        }
        var systems: [(system: String, formats: [[UInt8]])] = []
        for event in events {
            let parts = event.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let format = try? FileIO.readBytes(tracefs.path("events/\(parts[0])/\(parts[1])/format")) else { continue }
            if let i = systems.firstIndex(where: { $0.system == parts[0] }) {
                systems[i].formats.append(format)
            } else {
                systems.append((parts[0], [format]))
            }
        }
        var contents = TraceDatContents(
            headerPage: try FileIO.readBytes(tracefs.path("events/header_page")),
            headerEvent: try FileIO.readBytes(tracefs.path("events/header_event")),
            ftraceFormats: ftrace, eventFormats: systems,
            kallsyms: (try? FileIO.readBytes("/proc/kallsyms")) ?? [],
            printkFormats: (try? FileIO.readBytes(tracefs.path("printk_formats"))) ?? [],
            savedCommandLines: [], uname: unameText(), cpuStatistics: [], pageSize: pageSize, cpus: [])
        try contents.update(from: tracefs, pages: pages)
        return contents
    }

    /// Takes what changes while recording from tracefs again: `saved_cmdlines`, each CPU's
    /// `stats`, and the CPUs' `pages` (every CPU up to the last one, those without pages empty).
    /// Formats and kallsyms stay as read before, so the trace.dat names what the live analysis named.
    public mutating func update(from tracefs: Tracefs, pages: [RawTraceCapture.CPUPages]) throws(LiveTraceError) {
        var statistics: [(cpu: Int, text: String)] = []
        for cpu in try tracefs.ringBufferCPUs() {
            statistics.append((cpu, try tracefs.read("per_cpu/cpu\(cpu)/stats")))
        }
        cpuStatistics = statistics
        savedCommandLines = (try? FileIO.readBytes(tracefs.path("saved_cmdlines"))) ?? []
        cpus = (0..<((pages.map(\.cpu).max() ?? -1) + 1)).map { cpu in
            CPUData(cpu: cpu, path: pages.first { $0.cpu == cpu && $0.pages > 0 }?.path)
        }
    }

    /// `uname -a` without the operating system: what trace-cmd stores as UNAME.
    static func unameText() -> String {
        var u = utsname()
        guard Glibc.uname(&u) == 0 else { return "" }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return [text(u.sysname), text(u.nodename), text(u.release), text(u.version), text(u.machine)].joined(separator: " ")
    }
}
