/// A snapshot of the tracefs settings that tracing tools change, and their restoration.
///
/// Covers the top-level buffer: `tracing_on`, `current_tracer`, `trace_clock`,
/// `buffer_size_kb` (per CPU when they differ), every file under `options/`, the enabled
/// events (`set_event`), `set_event_pid`, and the event filters of the systems in
/// `filterSystems` (plus every enabled event). Not covered: the ring-buffer contents,
/// `tracing_cpumask`, triggers, instances, function-tracer filters.
///
/// ```swift
/// let tracefs = try Tracefs()
/// let saved = try TracingState.capture(from: tracefs)
/// defer { try? saved.restore(to: tracefs) }
/// ```
public struct TracingState: Equatable, Sendable, CustomStringConvertible {
    public var tracingOn: Bool
    public var currentTracer: String
    /// The selected clock (the bracketed entry of `trace_clock`).
    public var traceClock: String
    /// Per-CPU buffer size in KiB; nil when CPUs differ (`X`), then see `perCPUBufferSizeKB`.
    /// Before first use the kernel shows `7 (expanded: 1408)`: this is the expanded size,
    /// because enabling any event expands the buffer and that cannot be undone.
    public var bufferSizeKB: Int?
    /// False while the buffer still has its boot-time minimal allocation.
    public var bufferExpanded: Bool
    /// Sizes per CPU number, only filled when `bufferSizeKB` is nil.
    public var perCPUBufferSizeKB: [Int: Int]
    /// Every `options/` file, name to content (`0`/`1`).
    public var options: [String: String]
    /// Enabled events as `system:name`.
    public var enabledEvents: Set<String>
    /// Event (`system:name`) to filter text, for events whose filter is not `none`.
    public var eventFilters: [String: String]
    /// Event systems whose filters were read.
    public var filterSystems: [String]
    /// Lines of `set_event_pid`.
    public var eventPIDs: [String]

    /// Reads the current state.
    /// - Parameter filterSystems: event systems whose per-event filters are recorded (reading
    ///   all ~2000 filters of a kernel takes a while; enabled events are always included).
    public static func capture(from tracefs: Tracefs,
                               filterSystems: [String] = ["btrfs", "iomap"]) throws(LiveTraceError) -> TracingState {
        let on = FileIO.trimmed(try tracefs.read("tracing_on")) == "1"
        let tracer = FileIO.trimmed(try tracefs.read("current_tracer"))
        let clock = try selectedClock(tracefs.read("trace_clock"), path: tracefs.path("trace_clock"))
        let (size, expanded) = parseBufferSize(try tracefs.read("buffer_size_kb"))
        var perCPU: [Int: Int] = [:]
        if size == nil {
            for entry in try FileIO.listDirectory(tracefs.path("per_cpu")) where entry.hasPrefix("cpu") {
                guard let cpu = Int(entry.dropFirst(3)) else { continue }
                perCPU[cpu] = parseBufferSize(try tracefs.read("per_cpu/\(entry)/buffer_size_kb")).0
            }
        }
        var options: [String: String] = [:]
        for name in try FileIO.listDirectory(tracefs.path("options")) {
            options[name] = FileIO.trimmed(try tracefs.read("options/\(name)"))
        }
        let enabled = Set(try tracefs.enabledEvents())
        var filters: [String: String] = [:]
        for event in try filterScope(tracefs, systems: filterSystems, plus: enabled) {
            guard let text = try? tracefs.filter(ofEvent: event) else { continue }
            if text != "none" { filters[event] = text }
        }
        let pids = (try? tracefs.read("set_event_pid"))?.split(separator: "\n").map(String.init) ?? []
        return TracingState(tracingOn: on, currentTracer: tracer, traceClock: clock,
                            bufferSizeKB: size, bufferExpanded: expanded, perCPUBufferSizeKB: perCPU,
                            options: options, enabledEvents: enabled, eventFilters: filters,
                            filterSystems: filterSystems, eventPIDs: pids)
    }

    /// Puts tracefs back into this state, writing only what differs. Tracing is stopped first
    /// and `tracing_on` restored last. Every step is attempted; the first failure is thrown
    /// after the others ran.
    public func restore(to tracefs: Tracefs) throws(LiveTraceError) {
        var firstError: LiveTraceError?
        func attempt(_ step: () throws -> Void) {
            do { try step() } catch {
                if firstError == nil {
                    firstError = (error as? LiveTraceError) ?? .unexpectedContent(path: tracefs.root, content: "\(error)")
                }
            }
        }
        attempt { try tracefs.setTracingOn(false) }
        attempt {
            let now = Set(try tracefs.enabledEvents())
            if now != enabledEvents {
                try tracefs.disableAllEvents()
                for event in enabledEvents.sorted() {
                    try tracefs.write("set_event", event + "\n", append: true)
                }
            }
        }
        attempt {
            let scope = try TracingState.filterScope(tracefs, systems: filterSystems,
                                                     plus: Set(eventFilters.keys))
            for event in scope {
                let want = eventFilters[event] ?? "none"
                guard let have = try? tracefs.filter(ofEvent: event), have != want else { continue }
                try tracefs.setFilter(want, ofEvent: event)
            }
        }
        attempt {
            let now = (try? tracefs.read("set_event_pid"))?.split(separator: "\n").map(String.init) ?? []
            if now != eventPIDs {
                try tracefs.write("set_event_pid", eventPIDs.isEmpty ? "" : eventPIDs.joined(separator: " ") + "\n")
            }
        }
        attempt {
            for (name, value) in options.sorted(by: { $0.key < $1.key }) {
                guard let now = try? tracefs.read("options/\(name)"), FileIO.trimmed(now) != value else { continue }
                try tracefs.write("options/\(name)", value + "\n")
            }
        }
        attempt {
            let now = try TracingState.selectedClock(tracefs.read("trace_clock"), path: tracefs.path("trace_clock"))
            if now != traceClock { try tracefs.write("trace_clock", traceClock + "\n") }
        }
        attempt {
            if FileIO.trimmed(try tracefs.read("current_tracer")) != currentTracer {
                try tracefs.write("current_tracer", currentTracer + "\n")
            }
        }
        attempt {
            let (now, _) = TracingState.parseBufferSize(try tracefs.read("buffer_size_kb"))
            if let bufferSizeKB {
                if now != bufferSizeKB { try tracefs.setBufferSizeKB(bufferSizeKB) }
            } else {
                for (cpu, kb) in perCPUBufferSizeKB.sorted(by: { $0.key < $1.key }) {
                    try tracefs.write("per_cpu/cpu\(cpu)/buffer_size_kb", "\(kb)\n")
                }
            }
        }
        attempt { try tracefs.setTracingOn(tracingOn) }
        if let firstError { throw firstError }
    }

    /// Human-readable differences, empty when equivalent. Buffer sizes within
    /// `bufferToleranceKB` count as equal: the kernel rounds a written size to whole
    /// sub-buffers (writing 1408 reads back 1410), and `bufferExpanded` is ignored because
    /// enabling any event expands the buffer for good.
    public func differences(from other: TracingState, bufferToleranceKB: Int = 4) -> [String] {
        var d: [String] = []
        if tracingOn != other.tracingOn { d.append("tracing_on: \(tracingOn) vs \(other.tracingOn)") }
        if currentTracer != other.currentTracer { d.append("current_tracer: \(currentTracer) vs \(other.currentTracer)") }
        if traceClock != other.traceClock { d.append("trace_clock: \(traceClock) vs \(other.traceClock)") }
        switch (bufferSizeKB, other.bufferSizeKB) {
        case let (a?, b?) where abs(a - b) > bufferToleranceKB:
            d.append("buffer_size_kb: \(a) vs \(b)")
        case (nil, nil) where perCPUBufferSizeKB != other.perCPUBufferSizeKB:
            d.append("per-CPU buffer_size_kb: \(perCPUBufferSizeKB) vs \(other.perCPUBufferSizeKB)")
        case (nil, _?), (_?, nil):
            d.append("buffer_size_kb: \(bufferSizeKB.map(String.init) ?? "X") vs \(other.bufferSizeKB.map(String.init) ?? "X")")
        default: break
        }
        for name in Set(options.keys).union(other.options.keys).sorted() where options[name] != other.options[name] {
            d.append("options/\(name): \(options[name] ?? "-") vs \(other.options[name] ?? "-")")
        }
        let added = other.enabledEvents.subtracting(enabledEvents).sorted()
        let removed = enabledEvents.subtracting(other.enabledEvents).sorted()
        if !added.isEmpty || !removed.isEmpty {
            d.append("set_event: only in first \(removed), only in second \(added)")
        }
        for event in Set(eventFilters.keys).union(other.eventFilters.keys).sorted()
        where eventFilters[event] != other.eventFilters[event] {
            d.append("filter \(event): \(eventFilters[event] ?? "none") vs \(other.eventFilters[event] ?? "none")")
        }
        if eventPIDs != other.eventPIDs { d.append("set_event_pid: \(eventPIDs) vs \(other.eventPIDs)") }
        return d
    }

    /// True when `differences(from:)` is empty.
    public func isEquivalent(to other: TracingState, bufferToleranceKB: Int = 4) -> Bool {
        differences(from: other, bufferToleranceKB: bufferToleranceKB).isEmpty
    }

    public var description: String {
        let size = bufferSizeKB.map { "\($0)\(bufferExpanded ? "" : " (unexpanded)")" } ?? "per-CPU \(perCPUBufferSizeKB)"
        let on = options.filter { $0.value == "1" }.keys.sorted().joined(separator: ",")
        return "tracing_on=\(tracingOn ? 1 : 0) tracer=\(currentTracer) clock=\(traceClock) buffer_size_kb=\(size) "
            + "events=\(enabledEvents.sorted()) filters=\(eventFilters) set_event_pid=\(eventPIDs) options_on=[\(on)]"
    }

    // MARK: - parsing

    /// `[local] global counter` -> `local`.
    static func selectedClock(_ text: String, path: String) throws(LiveTraceError) -> String {
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") else {
            throw .unexpectedContent(path: path, content: text)
        }
        return String(text[text.index(after: open)..<close])
    }

    /// `1410` -> (1410, true); `7 (expanded: 1408)` -> (1408, false); `X` -> (nil, true).
    static func parseBufferSize(_ text: String) -> (Int?, Bool) {
        let t = FileIO.trimmed(text)
        if let r = t.range(of: "expanded: ") {
            let digits = t[r.upperBound...].prefix { $0.isNumber }
            return (Int(digits), false)
        }
        return (Int(t), true)
    }

    static func filterScope(_ tracefs: Tracefs, systems: [String],
                            plus extra: Set<String>) throws(LiveTraceError) -> [String] {
        var events = extra
        for system in systems where FileIO.isDirectory(tracefs.path("events/\(system)")) {
            for name in try FileIO.listDirectory(tracefs.path("events/\(system)"))
            where FileIO.isDirectory(tracefs.path("events/\(system)/\(name)")) {
                events.insert("\(system):\(name)")
            }
        }
        return events.sorted()
    }
}
