#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A mounted tracefs (the top-level ring buffer) and the controls `dio-trace record` and the
/// real-capture tests need: events, buffer, `tracing_on`, `trace_pipe`.
///
/// All paths are relative to `root` (normally `/sys/kernel/tracing`). Methods that change state
/// do not save it: take a `TracingState` snapshot first and restore it afterwards.
public struct Tracefs: Sendable {
    /// Where tracefs is mounted, without a trailing slash.
    public let root: String
    /// True when `init(mountIfNeeded:)` mounted tracefs itself; call `unmountIfMountedHere()`
    /// when done so the machine is left as found.
    public let mountedHere: Bool

    public static let defaultRoot = "/sys/kernel/tracing"

    /// Finds a mounted tracefs: `/proc/mounts` first, then the two usual paths
    /// (`/sys/kernel/tracing`, `/sys/kernel/debug/tracing`). Returns nil when none is mounted.
    public static func locate() -> String? {
        if let mounts = try? FileIO.readString("/proc/mounts") {
            for line in mounts.split(separator: "\n") {
                let f = line.split(separator: " ")
                if f.count >= 3, f[2] == "tracefs" { return String(f[1]) }
            }
        }
        for candidate in [defaultRoot, "/sys/kernel/debug/tracing"]
        where FileIO.exists(candidate + "/set_event") {
            return candidate
        }
        return nil
    }

    /// Whether the effective user is root.
    public static var isRoot: Bool { geteuid() == 0 }

    /// Opens tracefs at `root`, or the located one, mounting it at `/sys/kernel/tracing` when
    /// nothing is mounted and `mountIfNeeded` is true (needs root).
    /// - Throws: `LiveTraceError.notRoot` or `.tracefsUnavailable` with the reason.
    public init(root: String? = nil, mountIfNeeded: Bool = true) throws(LiveTraceError) {
        if let root {
            guard FileIO.exists(root + "/set_event") else {
                throw .tracefsUnavailable("\(root)/set_event does not exist (not a tracefs mount)")
            }
            self.root = root
            self.mountedHere = false
            return
        }
        if let found = Tracefs.locate() {
            self.root = found
            self.mountedHere = false
            return
        }
        guard mountIfNeeded else {
            throw .tracefsUnavailable("tracefs is not mounted (mount -t tracefs nodev \(Tracefs.defaultRoot))")
        }
        guard Tracefs.isRoot else { throw .notRoot(operation: "mounting tracefs") }
        guard FileIO.isDirectory(Tracefs.defaultRoot) else {
            throw .tracefsUnavailable("\(Tracefs.defaultRoot) does not exist (kernel without CONFIG_TRACING?)")
        }
        if mount("nodev", Tracefs.defaultRoot, "tracefs", 0, nil) != 0 {
            let e = errno
            throw .tracefsUnavailable("mount -t tracefs nodev \(Tracefs.defaultRoot) failed: \(String(cString: strerror(e)))")
        }
        self.root = Tracefs.defaultRoot
        self.mountedHere = true
    }

    /// Unmounts tracefs if this value mounted it; otherwise does nothing.
    public func unmountIfMountedHere() throws(LiveTraceError) {
        guard mountedHere else { return }
        if umount(root) != 0 { throw .system(call: "umount", path: root, errno: errno) }
    }

    /// Throws `.notRoot` unless running as root, or `.tracefsUnavailable` if `set_event` is not
    /// writable. Call before changing state, for a clear message instead of EACCES.
    public func requireWritable() throws(LiveTraceError) {
        guard Tracefs.isRoot else { throw .notRoot(operation: "changing tracefs state") }
        guard access(path("set_event"), W_OK) == 0 else {
            throw .tracefsUnavailable("\(path("set_event")) is not writable")
        }
    }

    // MARK: - raw access

    /// Absolute path of a tracefs file.
    public func path(_ relative: String) -> String { root + "/" + relative }

    /// Contents of a tracefs file.
    public func read(_ relative: String) throws(LiveTraceError) -> String {
        try FileIO.readString(path(relative))
    }

    /// Contents of a tracefs file without surrounding blanks and newlines (`current_tracer` -> `nop`).
    public func readValue(_ relative: String) throws(LiveTraceError) -> String {
        FileIO.trimmed(try read(relative))
    }

    /// Writes `value` to a tracefs file in one write; `append` uses `O_APPEND` (needed for
    /// `set_event`, where `O_TRUNC` disables every event).
    public func write(_ relative: String, _ value: String, append: Bool = false) throws(LiveTraceError) {
        try FileIO.write(path(relative), value, append: append)
    }

    // MARK: - events

    /// Every event the kernel offers, as `system:name` (from `available_events`).
    public func availableEvents() throws(LiveTraceError) -> Set<String> {
        Set(try read("available_events").split(separator: "\n").map(String.init))
    }

    /// The enabled events, as `system:name`, in `set_event` order.
    public func enabledEvents() throws(LiveTraceError) -> [String] {
        try read("set_event").split(separator: "\n").map(String.init)
    }

    /// Result of `enableEvents(_:)`.
    public struct EnabledEvents: Sendable, Equatable {
        /// Events now enabled, `system:name`.
        public var enabled: [String]
        /// Requested names (or patterns) that match nothing on this kernel, or whose enable failed.
        public var skipped: [String]
    }

    /// Expands `system:pattern` (shell `*`/`?` glob in the event part, or `system:*`) against
    /// `available_events`. A pattern without `:` matches event names in any system.
    public func expand(_ pattern: String, in available: Set<String>) -> [String] {
        let (sys, name): (Substring?, Substring)
        if let colon = pattern.firstIndex(of: ":") {
            sys = pattern[..<colon]
            name = pattern[pattern.index(after: colon)...]
        } else {
            sys = nil
            name = Substring(pattern)
        }
        return available.filter { ev in
            guard let colon = ev.firstIndex(of: ":") else { return false }
            if let sys, ev[..<colon] != sys { return false }
            return fnmatch(String(name), String(ev[ev.index(after: colon)...]), 0) == 0
        }.sorted()
    }

    /// Enables events (adds to what is already enabled). Names are `system:name` or
    /// `system:glob`; ones the kernel lacks are skipped, not errors.
    /// - Returns: what was enabled and what was skipped.
    public func enableEvents(_ names: [String]) throws(LiveTraceError) -> EnabledEvents {
        let available = try availableEvents()
        var result = EnabledEvents(enabled: [], skipped: [])
        for name in names {
            let matches = expand(name, in: available)
            if matches.isEmpty { result.skipped.append(name); continue }
            for ev in matches {
                do {
                    try write("set_event", ev + "\n", append: true)
                    result.enabled.append(ev)
                } catch {
                    result.skipped.append(ev)
                }
            }
        }
        return result
    }

    /// Disables every event (truncates `set_event`).
    public func disableAllEvents() throws(LiveTraceError) {
        try FileIO.truncate(path("set_event"))
    }

    /// Filter text of one event (`none` when unset).
    public func filter(ofEvent event: String) throws(LiveTraceError) -> String {
        FileIO.trimmed(try read(eventDirectory(event) + "/filter"))
    }

    /// Sets (or with `"0"`/`"none"` clears) the filter of one event.
    public func setFilter(_ filter: String, ofEvent event: String) throws(LiveTraceError) {
        let value = filter == "none" ? "0" : filter
        try write(eventDirectory(event) + "/filter", value + "\n")
    }

    func eventDirectory(_ event: String) -> String {
        let parts = event.split(separator: ":", maxSplits: 1)
        return parts.count == 2 ? "events/\(parts[0])/\(parts[1])" : "events/\(event)"
    }

    // MARK: - buffer and switches

    /// Turns recording into the ring buffer on or off (`tracing_on`).
    public func setTracingOn(_ on: Bool) throws(LiveTraceError) {
        try write("tracing_on", on ? "1\n" : "0\n")
    }

    public func isTracingOn() throws(LiveTraceError) -> Bool {
        FileIO.trimmed(try read("tracing_on")) == "1"
    }

    /// Empties the ring buffer (opens `trace` with `O_TRUNC`).
    public func clearBuffer() throws(LiveTraceError) {
        try FileIO.truncate(path("trace"))
    }

    /// Sets the per-CPU ring buffer size (`buffer_size_kb`; the kernel rounds to sub-buffers).
    public func setBufferSizeKB(_ kilobytes: Int) throws(LiveTraceError) {
        try write("buffer_size_kb", "\(kilobytes)\n")
    }

    /// Writes a line to `trace_marker` (shows as a `tracing_mark_write` event).
    public func mark(_ text: String) throws(LiveTraceError) {
        try write("trace_marker", text)
    }

    /// Per-CPU ring-buffer statistics (`per_cpu/cpuN/stats`), keyed by CPU number.
    public func ringBufferStats() throws(LiveTraceError) -> [Int: RingBufferStats] {
        var out: [Int: RingBufferStats] = [:]
        for entry in try FileIO.listDirectory(path("per_cpu")) where entry.hasPrefix("cpu") {
            guard let cpu = Int(entry.dropFirst(3)) else { continue }
            out[cpu] = RingBufferStats(parsing: try read("per_cpu/\(entry)/stats"))
        }
        return out
    }

    /// Opens `trace_pipe` (consuming reader, no header) for streaming reads.
    public func openTracePipe() throws(LiveTraceError) -> TracePipeReader {
        try TracePipeReader(path: path("trace_pipe"))
    }
}

/// The counters of `per_cpu/cpuN/stats` that tell whether events were lost.
public struct RingBufferStats: Sendable, Equatable {
    public var entries: Int
    public var overrun: Int
    public var commitOverrun: Int
    public var droppedEvents: Int
    public var readEvents: Int

    /// True when events were overwritten or dropped.
    public var lostEvents: Bool { overrun > 0 || commitOverrun > 0 || droppedEvents > 0 }

    public init(parsing text: String) {
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            let rest = line[line.index(after: colon)...].split(separator: " ").first.map(String.init) ?? ""
            if let v = Int(rest) { values[key] = v }
        }
        entries = values["entries"] ?? 0
        overrun = values["overrun"] ?? 0
        commitOverrun = values["commit overrun"] ?? 0
        droppedEvents = values["dropped events"] ?? 0
        readEvents = values["read events"] ?? 0
    }
}
