#if canImport(Glibc)
import Glibc
#endif
public import TraceEvents
public import TraceInput

/// Reads a trace-cmd `trace.dat` (v6, or v7 uncompressed, zstd or zlib) natively and delivers the
/// same `TraceEvent`s the text path produces for `trace-cmd report` of the same file.
///
/// The file is mapped and parsed with bounds checks on every size and offset (`TraceDatLayout`,
/// `RingBufferStream`): a corrupt, truncated or hostile file gives an `InputError` naming it,
/// never a signal. Opening reads only the headers, event names and IDs; an event's fields are
/// parsed when its first record is met, kallsyms only when a function address must be named.
///
/// - `origin.line` is the 1-based ordinal of the record in iteration (timestamp) order over all
///   CPUs and buffer instances (ties: the top buffer first, then the lower CPU, as
///   `tracecmd_iterate_events` orders them): a trace.dat has no lines.
/// - `timestamp` is the record's time in nanoseconds of the trace clock, `cpu` the CPU's id.
/// - Records reporting missed events are preceded by a `.dataLoss(.lost)` event, as
///   `trace-cmd report` prints `CPU:N [M EVENTS DROPPED]` before them.
/// - `statistics.lines` stays 0; `statistics.bytes` is the file size.
public final class TraceDatReader {
    public let path: String
    public let fileIndex: Int32
    public private(set) var statistics = TraceStatistics()
    /// The UNAME option of the file (`Linux host 6.1.0-18-amd64 ...`), if recorded.
    public let uname: String?
    /// Kernel release parsed from `uname` (`6.1.0-18-amd64`), if any.
    public let kernelRelease: String?
    /// Names of the buffer instances besides the top buffer.
    public let instanceNames: [String]
    /// Per CPU, the events the file's CPUSTAT options count as lost (overruns, dropped events,
    /// commit overruns); the pages report only overwritten events, and some without a count.
    public let statisticsLossByCPU: [Int32: UInt64]

    private let file: MappedFile
    var fileBytes: UnsafeRawBufferPointer { file.bytes }
    let layout: TraceDatLayout
    private let decoder: RecordDecoder
    /// nil when the file records no kernel version: then the ordered-extent enum order is
    /// inferred per event from the presence of `truncated_len` (as the text path does).
    private let modernFlagsFromVersion: Bool?
    private var descriptors: [Int: EventDescriptor] = [:]
    /// The same for types below `directTypes`, looked up without hashing (one per record), unmanaged:
    /// `allDescriptors` owns them, and a strong reference taken per record cost a retain and a release.
    private var descriptorsByType: [Unmanaged<EventDescriptor>?] = Array(repeating: nil, count: TraceDatReader.directTypes)
    private static let directTypes = 4096
    private var allDescriptors: [EventDescriptor] = []
    private var unknownTypes: Set<Int> = []
    private var unknownRecords: UInt64 = 0
    private var comms: [Int32: String]?
    /// Comms handed out so far, interned once per pid seen (not every saved cmdline: a file may
    /// save tens of thousands, and the intern table is bounded); the last one without hashing.
    private var internedComms: [Int32: InternedString] = [:]
    private var lastComm: (pid: Int32, comm: InternedString)?
    private var commonType = Field(offset: 0, size: 2, present: true)
    private var commonPid = Field(offset: 4, size: 4, signed: true, present: true)
    private var ordinal = 0
    var hasRead = false
    /// For a live recording: the kernel's current `saved_cmdlines`, asked when a pid is not in
    /// the table known so far (the kernel saves a task's comm as its events are recorded, and
    /// its table is small: reading it at the end misses tasks that have gone).
    public var refreshCommandLines: (() -> [UInt8]?)?

    public init(path: String, fileIndex: Int32) throws(InputError) {
        self.path = path
        self.fileIndex = fileIndex
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw InputError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw InputError(file: path, message: "is a directory, not a trace.dat file") }
        if st.st_size == 0 { throw InputError(file: path, message: "empty file: not a trace.dat") }
        guard let mapped = MappedFile(path: path) else {
            let fd = open(path, O_RDONLY)
            if fd < 0 { throw InputError(file: path, message: "cannot open: \(String(cString: strerror(errno)))") }
            close(fd)
            throw InputError(file: path, message: "cannot map: not a regular file (a trace.dat is read from a file)")
        }
        guard mapped.bytes.starts(with: TraceDatLayout.magic) else {
            throw InputError(file: path, message: "not a trace.dat file (missing the trace-cmd magic \\x17\\x08Dtracing)")
        }
        file = mapped
        statistics.bytes = UInt64(mapped.bytes.count)
        do {
            layout = try TraceDatLayout(file: mapped.bytes)
        } catch {
            throw InputError(file: path, message: "corrupt or truncated trace.dat: \(error.message)")
        }
        guard !layout.formats.isEmpty else { throw InputError(file: path, message: "corrupt trace.dat: no event formats") }
        let layout = self.layout
        let symbols = FunctionSymbols(kallsyms: { layout.kallsymsText() })
        decoder = RecordDecoder(swapBytes: layout.bigEndian != (1.bigEndian == 1), functionNames: symbols)
        uname = layout.uname
        if let uname {
            let parts = uname.split(separator: " ")
            let release = parts.count >= 3 ? String(parts[2]) : nil
            kernelRelease = release
            if let release, let major = Int(release.prefix(while: { $0.isNumber })) {
                modernFlagsFromVersion = major >= 5
            } else {
                modernFlagsFromVersion = nil
            }
        } else {
            kernelRelease = nil
            modernFlagsFromVersion = nil
        }
        instanceNames = layout.buffers.filter { !$0.name.isEmpty }.map(\.name)
        statisticsLossByCPU = layout.statisticsLossByCPU
        statistics.formats = ["trace.dat"]
    }

    /// Iterates all records in timestamp order (all CPUs, top buffer and instances) and calls
    /// `sink` for each decoded accounting event and each data-loss marker. Call once per reader.
    public func read(sink: (TraceEvent) throws -> Void) throws {
        guard !hasRead else { throw InputError(file: path, message: "TraceDatReader.read called twice; open a new reader") }
        hasRead = true
        defer { countEventsByName() }
        // The top buffer first, then instances, each CPU in the file's order.
        let buffers = layout.buffers.enumerated().sorted { ($0.element.name.isEmpty ? 0 : 1, $0.offset) < ($1.element.name.isEmpty ? 0 : 1, $1.offset) }
        do {
            var opened: [RingBufferStream] = []
            for (index, buffer) in buffers {
                for cpu in buffer.cpus where cpu.size > 0 {
                    opened.append(try RingBufferStream(layout: layout, buffer: buffer, bufferIndex: index, cpu: cpu, file: file.bytes))
                }
            }
            // The array owns the streams while they are read; each record's stream is used through
            // an unmanaged reference (a strong local cost a retain and a release per record).
            let streams = opened
            try withExtendedLifetime(streams) {
                let unmanaged = streams.map { Unmanaged.passUnretained($0) }
                while let chosen = RingBufferStream.earliest(in: streams) {
                    let read = try unmanaged[chosen]._withUnsafeGuaranteedRef { stream -> Bool in
                        guard let record = stream.current else { return false }
                        try consume(record, cpu: stream.cpu, sink: sink)
                        try stream.advance()
                        return true
                    }
                    if !read { break }
                }
            }
        } catch let corruption as TraceDatCorruption {
            throw inputError(corruption)
        }
    }

    func inputError(_ corruption: TraceDatCorruption) -> InputError {
        if statistics.events == 0 {
            return InputError(file: path, message: "corrupt or truncated trace.dat: \(corruption.message)")
        }
        return InputError(file: path, message: "corrupt trace.dat after \(statistics.events) events: \(corruption.message)")
    }

    func countEventsByName() {
        for d in allDescriptors where d.count > 0 { statistics.eventsByName[d.name, default: 0] += d.count }
        if unknownRecords > 0 { statistics.eventsByName["<unknown>", default: 0] += unknownRecords }
    }

    /// The comm given to each pid so far (`<idle>` for 0 left out), to save as the command lines
    /// of a trace.dat that must read as this reading did.
    public var resolvedCommands: [Int32: String] {
        var out: [Int32: String] = [:]
        for (pid, comm) in internedComms where pid != 0 { out[pid] = comm.description }
        return out
    }

    // MARK: - per record

    func consume(_ record: RingBufferStream.Record, cpu: Int32, sink: (TraceEvent) throws -> Void) throws {
        ordinal += 1
        if record.missedEvents != 0 {
            let count: UInt64 = record.missedEvents > 0 ? UInt64(record.missedEvents) : 0
            statistics.dataLossMarkers += 1
            statistics.noteLostEvents(count, cpu: cpu)
            statistics.noteProblem(.dataLoss, file: path, line: ordinal, "CPU \(cpu): \(count == 0 ? "some" : String(count)) events lost")
            try sink(TraceEvent(origin: EventOrigin(file: fileIndex, line: ordinal), timestamp: nil, timestampKind: .none,
                                cpu: cpu, pid: -1, comm: "", name: "<data-loss>", filesystem: nil,
                                payload: .dataLoss(DataLoss(kind: .lost, cpu: cpu, count: count))))
        }
        statistics.events += 1
        let raw = record.data
        let type = Int(truncatingIfNeeded: decoder.rawValue(commonType, raw) ?? UInt64.max)
        if type >= 0 && type < Self.directTypes, let known = descriptorsByType[type] {
            try known._withUnsafeGuaranteedRef { try consume(record, raw, cpu: cpu, desc: $0, sink: sink) }
            return
        }
        guard let desc = descriptor(type) else {
            unknownRecords += 1
            statistics.unrecognizedLines += 1
            statistics.noteProblem(.unrecognized, file: path, line: ordinal, "record of unknown event type \(type)")
            return
        }
        try consume(record, raw, cpu: cpu, desc: desc, sink: sink)
    }

    /// A record of a known event type.
    @inline(__always)
    private func consume(_ record: RingBufferStream.Record, _ raw: UnsafeRawBufferPointer, cpu: Int32, desc: EventDescriptor,
                         sink: (TraceEvent) throws -> Void) throws {
        desc.count &+= 1
        guard desc.decoded else { return }
        guard let payload = decoder.decode(desc, raw) else {
            statistics.malformedLines += 1
            statistics.noteProblem(.malformed, file: path, line: ordinal, "cannot decode \(desc.name) record fields")
            return
        }
        statistics.decodedEvents += 1
        let pid = Int32(truncatingIfNeeded: Int64(bitPattern: decoder.rawValue(commonPid, raw) ?? 0))
        let filesystem: FilesystemID? = desc.fsid.present && desc.fsid.offset + 16 <= raw.count
            ? FilesystemID(high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: desc.fsid.offset, as: UInt64.self)),
                           low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: desc.fsid.offset + 8, as: UInt64.self)))
            : nil
        try sink(TraceEvent(origin: EventOrigin(file: fileIndex, line: ordinal), timestamp: record.timestamp, timestampKind: .nanoseconds,
                            cpu: cpu, pid: pid, comm: comm(pid), name: desc.internedName, filesystem: filesystem, payload: payload))
    }

    /// The descriptor of an event type not in `descriptorsByType` (`consume` looks there first),
    /// its format parsed on first use; nil for a type the file has no (parsable) format for.
    private func descriptor(_ type: Int) -> EventDescriptor? {
        if !(type >= 0 && type < Self.directTypes), let d = descriptors[type] { return d }
        guard !unknownTypes.contains(type), let text = layout.formats[type],
              let format = EventFormat(system: text.system, text: text.text) else {
            unknownTypes.insert(type)
            return nil
        }
        if allDescriptors.isEmpty {
            // libtraceevent takes common_type and common_pid from the first format it parses.
            if let t = format.fields["common_type"], t.size == 1 || t.size == 2 || t.size == 4 {
                commonType = Field(offset: t.offset, size: t.size, present: true)
            }
            if let p = format.fields["common_pid"], p.size == 4 { commonPid = Field(offset: p.offset, size: 4, signed: true, present: true) }
        }
        let d = EventDescriptor(format: format, modernFlags: modernFlagsFromVersion)
        if type >= 0 && type < Self.directTypes { descriptorsByType[type] = Unmanaged.passUnretained(d) } else { descriptors[type] = d }
        allDescriptors.append(d)
        return d
    }

    /// The saved command line of `pid` (libtraceevent: `<idle>` for 0, `<...>` when not saved).
    private func comm(_ pid: Int32) -> InternedString {
        if let last = lastComm, last.pid == pid { return last.comm }
        if let known = internedComms[pid] {
            lastComm = (pid, known)
            return known
        }
        if comms == nil { comms = TraceDatContents.commandLines(layout.cmdlines) }
        if pid != 0, comms?[pid] == nil, let refresh = refreshCommandLines, let text = refresh() {
            comms = text.withUnsafeBytes { TraceDatContents.commandLines($0) }
        }
        let comm = InternedString(pid == 0 ? "<idle>" : comms?[pid] ?? "<...>")
        internedComms[pid] = comm
        lastComm = (pid, comm)
        return comm
    }

}
