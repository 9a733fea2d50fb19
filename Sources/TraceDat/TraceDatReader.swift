import CTraceCmd
#if canImport(Glibc)
import Glibc
#endif
public import TraceEvents
public import TraceInput

/// Reads a trace-cmd `trace.dat` (v6 or v7, any compression libtracecmd supports) through
/// libtracecmd/libtraceevent and delivers the same `TraceEvent`s the text path produces for
/// `trace-cmd report` of the same file.
///
/// Fields are read **by name** from each event's format (`tep_find_field`, resolved once per event
/// type) straight out of the binary record; nothing is printed and re-parsed.
///
/// - `origin.line` is the 1-based ordinal of the record in iteration (timestamp) order over all
///   CPUs and buffer instances: a trace.dat has no lines.
/// - `timestamp` is `record->ts` in nanoseconds of the trace clock, `cpu` is `record->cpu`.
/// - Records reporting missed events (`record->missed_events`) are preceded by a `.dataLoss(.lost)`
///   event, as `trace-cmd report` prints `CPU:N [M EVENTS DROPPED]` before them.
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

    private let handle: OpaquePointer
    private var instanceHandles: [OpaquePointer] = []
    private let tep: OpaquePointer
    private let swapBytes: Bool
    /// nil when the file records no kernel version: then the ordered-extent enum order is
    /// inferred per event from the presence of `truncated_len` (as the text path does).
    private let modernFlagsFromVersion: Bool?

    // Per-event-type descriptors, indexed by the common_type id.
    private var descriptors: [EventDescriptor?] = []
    private var allDescriptors: [EventDescriptor] = []
    private var comms: [Int32: String] = [:]
    private var reservationTypes: [UInt64: [ReservationType]] = [:]
    private var ordinal = 0
    private var sink: ((TraceEvent) throws -> Void)?
    private var failure: (any Error)?
    private var unknownTypes: UInt64 = 0
    private var hasRead = false

    public init(path: String, fileIndex: Int32) throws(InputError) {
        self.path = path
        self.fileIndex = fileIndex
        // Check the file ourselves first, so the usual failures get precise messages.
        let fd = Glibc.open(path, O_RDONLY)
        if fd < 0 {
            throw InputError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        _ = fstat(fd, &st)
        var magic = [UInt8](repeating: 0, count: 10)
        let n = magic.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 10) }
        Glibc.close(fd)
        if (st.st_mode & S_IFMT) == S_IFDIR { throw InputError(file: path, message: "is a directory, not a trace.dat file") }
        if n <= 0 { throw InputError(file: path, message: "empty file: not a trace.dat") }
        if n < 10 || magic[0] != 0x17 || magic[1] != 0x08 || magic[2] != 0x44 || Array(magic[3..<10]) != Array("tracing".utf8) {
            throw InputError(file: path, message: "not a trace.dat file (missing the trace-cmd magic \\x17\\x08Dtracing)")
        }
        statistics.bytes = UInt64(st.st_size)
        TraceDatReader.quietLibraries()
        errno = 0
        // tracecmd_open() = tracecmd_open_head() + tracecmd_init_data(), but in libtracecmd 1.3.1
        // its failure path crashes in tracecmd_close() when init_data fails (e.g. a v6 file cut
        // inside the CPU data). Doing the two steps here lets us report instead of crashing.
        guard let h = tracecmd_open_head(path, Int32(TRACECMD_FL_LOAD_NO_PLUGINS.rawValue)) else {
            let reason = errno != 0 && errno != ENOENT ? " (\(String(cString: strerror(errno))))" : ""
            throw InputError(file: path, message: "corrupt or truncated trace.dat: libtracecmd cannot read its headers\(reason)")
        }
        if tracecmd_init_data(h) < 0 {
            // Deliberately not closed: tracecmd_close() after a failed init_data crashes in
            // libtracecmd 1.3.1 (double free of the CPU data). A small leak per corrupt input.
            throw InputError(file: path, message: "corrupt or truncated trace.dat: the CPU data is shorter than the headers say or unreadable")
        }
        guard let t = tracecmd_get_tep(h) else {
            tracecmd_close(h)
            throw InputError(file: path, message: "corrupt trace.dat: no event formats")
        }
        handle = h
        tep = t
        swapBytes = tep_is_file_bigendian(t) != tep_is_local_bigendian(t)
        if let u = tracecmd_get_uname(h) {
            let s = String(cString: u)
            uname = s
            let parts = s.split(separator: " ")
            let release = parts.count >= 3 ? String(parts[2]) : nil
            kernelRelease = release
            if let release, let major = Int(release.prefix(while: { $0.isNumber })) {
                modernFlagsFromVersion = major >= 5
            } else {
                modernFlagsFromVersion = nil
            }
        } else {
            uname = nil
            kernelRelease = nil
            modernFlagsFromVersion = nil
        }
        var names: [String] = []
        let count = tracecmd_buffer_instances(h)
        if count > 0 {
            for i in 0..<count {
                guard let ih = tracecmd_buffer_instance_handle(h, i) else { continue }
                instanceHandles.append(ih)
                names.append(tracecmd_buffer_instance_name(h, i).map { String(cString: $0) } ?? "instance\(i)")
            }
        }
        instanceNames = names
        statistics.formats = ["trace.dat"]
    }

    deinit {
        for ih in instanceHandles { tracecmd_close(ih) }
        tracecmd_close(handle)
    }

    private static func quietLibraries() {
        // libtracecmd/libtraceevent print warnings for every malformed header; errors are
        // reported through InputError instead.
        tracecmd_set_loglevel(TEP_LOG_NONE)
        tep_set_loglevel(TEP_LOG_NONE)
    }

    /// Iterates all records in timestamp order (all CPUs, top buffer and instances) and calls
    /// `sink` for each decoded accounting event and each data-loss marker. Call once per reader.
    public func read(sink: (TraceEvent) throws -> Void) throws {
        guard !hasRead else { throw InputError(file: path, message: "TraceDatReader.read called twice; open a new reader") }
        hasRead = true
        try withoutActuallyEscaping(sink) { escaping in
            self.sink = escaping
            defer { self.sink = nil }
            let context = Unmanaged.passUnretained(self).toOpaque()
            let callback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<tep_record>?, Int32, UnsafeMutableRawPointer?) -> Int32 = { h, record, _, ctx in
                guard let record, let ctx else { return 0 }
                return Unmanaged<TraceDatReader>.fromOpaque(ctx).takeUnretainedValue().consume(record, handle: h)
            }
            let rc: Int32
            if instanceHandles.isEmpty {
                rc = tracecmd_iterate_events(handle, nil, 0, callback, context)
            } else {
                var all: [OpaquePointer?] = [handle] + instanceHandles.map { Optional($0) }
                rc = all.withUnsafeMutableBufferPointer { tracecmd_iterate_events_multi($0.baseAddress, Int32($0.count), callback, context) }
            }
            for d in allDescriptors where d.count > 0 { statistics.eventsByName[d.name, default: 0] += d.count }
            if unknownTypes > 0 { statistics.eventsByName["<unknown>", default: 0] += unknownTypes }
            if let failure { throw failure }
            if rc < 0 && statistics.events == 0 {
                throw InputError(file: path, message: "corrupt or truncated trace.dat: no event data could be read")
            }
        }
    }

    // MARK: - per record

    @inline(__always)
    private func consume(_ record: UnsafeMutablePointer<tep_record>, handle h: OpaquePointer?) -> Int32 {
        ordinal += 1
        let rec = record.pointee
        let cpu = rec.cpu
        do {
            if rec.missed_events != 0 {
                let count: UInt64 = rec.missed_events > 0 ? UInt64(rec.missed_events) : 0
                statistics.dataLossMarkers += 1
                statistics.lostEvents += count
                statistics.noteProblem(.dataLoss, file: path, line: ordinal,
                                "CPU \(cpu): \(count == 0 ? "some" : String(count)) events lost")
                try sink!(TraceEvent(origin: EventOrigin(file: fileIndex, line: ordinal), timestamp: nil, timestampKind: .none,
                                     cpu: cpu, pid: -1, comm: "", name: "<data-loss>", filesystem: nil,
                                     payload: .dataLoss(DataLoss(kind: .lost, cpu: cpu, count: count))))
            }
            statistics.events += 1
            let tepForRecord = h.flatMap { tracecmd_get_tep($0) } ?? tep
            let type = Int(tep_data_type(tepForRecord, record))
            let desc: EventDescriptor
            if type >= 0 && type < descriptors.count, let d = descriptors[type] {
                desc = d
            } else if let d = makeDescriptor(tepForRecord, record, type: type) {
                desc = d
            } else {
                unknownTypes += 1
                statistics.unrecognizedLines += 1
                statistics.noteProblem(.unrecognized, file: path, line: ordinal, "record of unknown event type \(type)")
                return 0
            }
            desc.count &+= 1
            guard desc.decoded, let data = rec.data else { return 0 }
            let raw = UnsafeRawBufferPointer(start: data, count: Int(rec.size))
            guard let payload = decode(desc, raw) else {
                statistics.malformedLines += 1
                statistics.noteProblem(.malformed, file: path, line: ordinal, "cannot decode \(desc.name) record fields")
                return 0
            }
            statistics.decodedEvents += 1
            let pid = tep_data_pid(tepForRecord, record)
            let filesystem: FilesystemID? = desc.fsid.present && desc.fsid.offset + 16 <= raw.count
                ? FilesystemID(high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: desc.fsid.offset, as: UInt64.self)),
                               low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: desc.fsid.offset + 8, as: UInt64.self)))
                : nil
            try sink!(TraceEvent(origin: EventOrigin(file: fileIndex, line: ordinal), timestamp: rec.ts, timestampKind: .nanoseconds,
                                 cpu: cpu, pid: pid, comm: comm(tepForRecord, pid), name: desc.name,
                                 filesystem: filesystem, payload: payload))
            return 0
        } catch {
            failure = error
            return 1
        }
    }

    private func comm(_ tep: OpaquePointer, _ pid: Int32) -> String {
        if let c = comms[pid] { return c }
        let c = tep_data_comm_from_pid(tep, pid).map { String(cString: $0) } ?? "<...>"
        comms[pid] = c
        return c
    }

    // MARK: - descriptors

    private func makeDescriptor(_ tep: OpaquePointer, _ record: UnsafeMutablePointer<tep_record>, type: Int) -> EventDescriptor? {
        guard type >= 0, let event = tep_find_event_by_record(tep, record) else { return nil }
        let name = event.pointee.name.map { String(cString: $0) } ?? "<unnamed>"
        let d = EventDescriptor(event: event, name: name, modernFlags: modernFlagsFromVersion)
        if type >= descriptors.count { descriptors += [EventDescriptor?](repeating: nil, count: type + 1 - descriptors.count) }
        descriptors[type] = d
        allDescriptors.append(d)
        return d
    }

    // MARK: - field access

    @inline(__always)
    private func rawValue(_ f: Field, _ p: UnsafeRawBufferPointer) -> UInt64? {
        guard f.present, f.offset + f.size <= p.count else { return nil }
        var v: UInt64
        switch f.size {
        case 8: v = p.loadUnaligned(fromByteOffset: f.offset, as: UInt64.self); if swapBytes { v = v.byteSwapped }
        case 4:
            var x = p.loadUnaligned(fromByteOffset: f.offset, as: UInt32.self); if swapBytes { x = x.byteSwapped }
            v = f.signed ? UInt64(bitPattern: Int64(Int32(bitPattern: x))) : UInt64(x)
        case 2:
            var x = p.loadUnaligned(fromByteOffset: f.offset, as: UInt16.self); if swapBytes { x = x.byteSwapped }
            v = f.signed ? UInt64(bitPattern: Int64(Int16(bitPattern: x))) : UInt64(x)
        case 1:
            let x = p.load(fromByteOffset: f.offset, as: UInt8.self)
            v = f.signed ? UInt64(bitPattern: Int64(Int8(bitPattern: x))) : UInt64(x)
        default: return nil
        }
        return v
    }

    /// The value as the text path's `unsigned(key)` sees it: nil when absent or printed negative.
    @inline(__always)
    private func unsigned(_ f: Field, _ p: UnsafeRawBufferPointer) -> UInt64? {
        guard let v = rawValue(f, p) else { return nil }
        if f.signed && Int64(bitPattern: v) < 0 { return nil }
        return v
    }

    @inline(__always)
    private func signed(_ f: Field, _ p: UnsafeRawBufferPointer) -> Int64? {
        rawValue(f, p).map { Int64(bitPattern: $0) }
    }

    /// A `__data_loc char[]` string (low 16 bits offset, high 16 bits length incl. NUL).
    private func dynamicBytes(_ f: Field, _ p: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard f.present, f.size == 4, f.offset + 4 <= p.count else { return nil }
        var loc = p.loadUnaligned(fromByteOffset: f.offset, as: UInt32.self)
        if swapBytes { loc = loc.byteSwapped }
        var start = Int(loc & 0xFFFF)
        var length = Int(loc >> 16)
        if f.relative { start += f.offset + f.size }
        guard start <= p.count else { return nil }
        length = min(length, p.count - start)
        var end = start
        while end < start + length && p[end] != 0 { end += 1 }
        return UnsafeRawBufferPointer(rebasing: p[start..<end])
    }

    private func reservationType(_ bytes: UnsafeRawBufferPointer) -> ReservationType {
        var h: UInt64 = 0xcbf29ce484222325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        if let list = reservationTypes[h] {
            for t in list where t.bytes.elementsEqual(bytes) { return t }
        }
        let t = ReservationType(bytes: Array(bytes))
        reservationTypes[h, default: []].append(t)
        return t
    }

    // MARK: - decoding (field semantics mirror the text decoders in TraceEvents/Decoders)

    private func decode(_ d: EventDescriptor, _ p: UnsafeRawBufferPointer) -> AccountingEvent? {
        let f = d.fields
        switch d.kind {
        case .spaceReservation:
            guard let type = dynamicBytes(f[0], p), let val = unsigned(f[1], p), let bytes = unsigned(f[2], p),
                  let reserve = rawValue(f[3], p) else { return nil }
            let t = reservationType(type)
            let kind: SpaceReservation.Kind
            switch t.special {
            case .spaceInfo: kind = .spaceInfo(SpaceKind(blockGroupFlags: val))
            case .spaceInfoENOSPC: kind = .spaceInfoENOSPC(SpaceKind(blockGroupFlags: val))
            case .fixed(let k): kind = k
            }
            return .spaceReservation(SpaceReservation(kind: kind, value: val, isReserve: reserve != 0, bytes: bytes))
        case .spaceInfoUpdate(let counter):
            guard let diff = signed(f[2], p) else { return nil }
            // The text shows __print_flags names in table order DATA, SYSTEM, METADATA, RAID...;
            // the text decoder keys on the first name.
            var space = SpaceKind.other(0)
            if let flags = rawValue(f[0], p) {
                if flags & 1 != 0 { space = .data } else if flags & 2 != 0 { space = .system } else if flags & 4 != 0 { space = .metadata }
            }
            return .spaceInfoUpdate(SpaceInfoUpdate(counter: counter, space: space, old: unsigned(f[1], p), diff: diff))
        case .outstandingExtents:
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p), let mod = signed(f[2], p) else { return nil }
            return .outstandingExtents(OutstandingExtentsChange(root: root, inode: ino, mod: mod, outstanding: unsigned(f[3], p)))
        case .orderedExtent(let step):
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p), let fileOffset = unsigned(f[2], p),
                  let start = unsigned(f[3], p), let len = unsigned(f[4], p) else { return nil }
            var truncated: UInt64? = nil
            if let t = unsigned(f[6], p), t != UInt64.max { truncated = t }
            let flags = rawValue(f[8], p).map { OrderedExtentFlags.fromKernelBits($0, modern: d.modernFlags).0 } ?? []
            return .orderedExtent(OrderedExtentEvent(
                step: step, root: root, inode: ino, fileOffset: fileOffset, diskStart: start, length: len,
                diskLength: unsigned(f[5], p) ?? len, truncatedLength: truncated, bytesLeft: unsigned(f[7], p) ?? 0,
                flags: flags, refs: signed(f[9], p) ?? 0))
        case .orderedRangeFinished:
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p), let start = unsigned(f[2], p),
                  let len = unsigned(f[3], p) else { return nil }
            return .orderedRangeFinished(OrderedRangeFinished(root: root, inode: ino, fileOffset: start, length: len,
                                                              uptodate: (unsigned(f[4], p) ?? 1) != 0))
        case .extentReserved:
            guard let start = unsigned(f[0], p), let len = unsigned(f[1], p) else { return nil }
            return .extentReserved(DiskExtent(start: start, length: len, space: unsigned(f[2], p).map(SpaceKind.init(blockGroupFlags:))))
        case .reservedExtent(let freed):
            guard let start = unsigned(f[0], p), let len = unsigned(f[1], p) else { return nil }
            let e = DiskExtent(start: start, length: len, space: nil)
            return freed ? .reservedExtentFreed(e) : .reservedExtentAllocated(e)
        case .qgroupData:
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p), let start = unsigned(f[2], p),
                  let len = unsigned(f[3], p), let reserved = unsigned(f[4], p), let opBits = rawValue(f[5], p) else { return nil }
            let op: QgroupDataEvent.Operation
            switch opBits {
            case 1: op = .reserve
            case 2: op = .release
            case 4: op = .free
            default: return nil
            }
            return .qgroupData(QgroupDataEvent(operation: op, root: root, inode: ino, start: start, length: len, reserved: reserved))
        case .qgroupReserveUpdate:
            guard let qgid = unsigned(f[0], p), let cur = unsigned(f[2], p), let diff = signed(f[3], p) else { return nil }
            return .qgroupReserveUpdate(QgroupReserveUpdate(qgroup: qgid, type: qgroupTypeName(rawValue(f[1], p)), currentReserved: cur, diff: diff))
        case .qgroupMeta(let k):
            guard let root = unsigned(f[0], p), let diff = signed(f[1], p) else { return nil }
            let type = k == .convert ? "META_PREALLOC->META_PERTRANS" : (f[2].present ? qgroupTypeName(rawValue(f[2], p)) : "")
            return .qgroupMeta(QgroupMetaEvent(kind: k, root: root, type: type, diff: diff))
        case .inode(let k):
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p) else { return nil }
            return .inode(InodeEvent(kind: k, root: root, inode: ino))
        case .transactionCommit:
            return .transactionCommit
        case .directIOBegin:
            guard let dev = rawValue(f[0], p), let ino = rawValue(f[1], p), let pos = rawValue(f[2], p),
                  let count = rawValue(f[3], p) else { return nil }
            let kiFlags = rawValue(f[4], p) ?? 0
            return .directIOBegin(DirectIOBegin(device: dev, inode: ino, offset: pos, length: count,
                                                isWrite: d.writeMask != 0 && kiFlags & d.writeMask == d.writeMask,
                                                isAsync: (rawValue(f[5], p) ?? 0) != 0))
        case .directIOEnd(let queued):
            guard let dev = rawValue(f[0], p), let ino = rawValue(f[1], p), let pos = rawValue(f[2], p) else { return nil }
            return .directIOEnd(DirectIOEnd(device: dev, inode: ino, offset: pos, error: signed(f[3], p) ?? 0,
                                            result: signed(f[4], p) ?? 0, isQueued: queued))
        case .probeCandidate:
            var ret: Int64? = nil
            if d.probeIsReturn, var v = signed(f[5], p) {
                if d.probeRetHex32 && !f[5].signed && f[5].size == 4 { v = Int64(Int32(truncatingIfNeeded: v)) }
                ret = v
            }
            return .probe(ProbeEvent(function: d.probeFunction, isReturn: d.probeIsReturn, inode: unsigned(f[0], p),
                                     position: unsigned(f[1], p) ?? unsigned(f[2], p),
                                     count: unsigned(f[3], p) ?? unsigned(f[4], p), returnValue: ret))
        case .work(let k):
            // func is a pointer: named from the file's kallsyms as trace-cmd report prints it (%ps).
            var function: String? = nil
            if k == .scheduled, let address = rawValue(f[0], p), let name = tep_find_function(tep, address) {
                function = String(cString: name)
            }
            return .work(WorkItem(kind: k, function: function))
        case .reservationTicket:
            guard let bytes = unsigned(f[1], p) else { return nil }
            return .reservationTicket(ReservationTicket(space: rawValue(f[0], p).map(SpaceKind.init(blockGroupFlags:)) ?? .other(0), bytes: bytes,
                                                        startNanoseconds: unsigned(f[2], p) ?? 0, error: signed(f[3], p) ?? 0))
        case .iomapIteration:
            guard let dev = rawValue(f[0], p), let ino = rawValue(f[1], p), let pos = rawValue(f[2], p) else { return nil }
            return .iomapIteration(IomapIteration(device: dev, inode: ino, position: pos, length: rawValue(f[3], p) ?? 0,
                                                  flags: rawValue(f[4], p) ?? 0))
        case .ignored:
            return nil
        }
    }

    private func qgroupTypeName(_ v: UInt64?) -> String {
        switch v {
        case 0: "DATA"
        case 1: "META_PERTRANS"
        case 2: "META_PREALLOC"
        case nil: ""
        case let v?: "0x" + String(v, radix: 16)
        }
    }
}

// MARK: - descriptor types

struct Field {
    var offset: Int = 0
    var size: Int = 0
    var signed = false
    var relative = false
    var present = false

    static let absent = Field()
}

final class EventDescriptor {
    let name: String
    let kind: AccountingEventKind
    /// Whether records of this type become `TraceEvent`s.
    let decoded: Bool
    var count: UInt64 = 0
    var fsid = Field.absent
    var fields: [Field] = []
    var modernFlags = true
    var writeMask: UInt64 = 0
    var probeFunction = ""
    var probeIsReturn = false
    var probeRetHex32 = false

    init(event: UnsafeMutablePointer<tep_event>, name: String, modernFlags fromVersion: Bool?) {
        self.name = name
        var kind = AccountingEventKind.forEventName(name)
        func field(_ names: String...) -> Field {
            for n in names {
                guard let f = tep_find_field(event, n) else { continue }
                let flags = UInt(f.pointee.flags)
                return Field(offset: Int(f.pointee.offset), size: Int(f.pointee.size),
                             signed: flags & UInt(TEP_FIELD_IS_SIGNED.rawValue) != 0,
                             relative: flags & UInt(TEP_FIELD_IS_RELATIVE.rawValue) != 0, present: true)
            }
            return .absent
        }
        if let f = tep_find_field(event, "fsid"), f.pointee.size == 16 {
            fsid = Field(offset: Int(f.pointee.offset), size: 16, present: true)
        }
        let root = field("root_objectid", "root", "rootid")
        switch kind {
        case .spaceReservation: fields = [field("type"), field("val"), field("bytes"), field("reserve")]
        case .spaceInfoUpdate: fields = [field("type"), field("old"), field("diff")]
        case .outstandingExtents: fields = [root, field("ino"), field("mod"), field("outstanding")]
        case .orderedExtent:
            fields = [root, field("ino"), field("file_offset"), field("start"), field("len"), field("disk_len"),
                      field("truncated_len"), field("bytes_left"), field("flags"), field("refs")]
            modernFlags = fromVersion ?? fields[6].present
        case .orderedRangeFinished: fields = [root, field("ino"), field("start"), field("len"), field("uptodate")]
        case .extentReserved: fields = [field("start"), field("len"), field("flags")]
        case .reservedExtent: fields = [field("start"), field("len")]
        case .qgroupData: fields = [field("rootid", "root", "root_objectid"), field("ino"), field("start"), field("len"), field("reserved"), field("op")]
        case .qgroupReserveUpdate: fields = [field("qgid"), field("type"), field("cur_reserved"), field("diff")]
        case .qgroupMeta: fields = [field("refroot"), field("diff"), field("type")]
        case .inode: fields = [root, field("ino")]
        case .transactionCommit: fields = []
        case .directIOBegin:
            fields = [field("dev"), field("ino"), field("pos"), field("count"), field("ki_flags"), field("aio")]
            writeMask = Self.flagValue(event, named: "WRITE")
        case .directIOEnd: fields = [field("dev"), field("ino"), field("pos", "offset"), field("error"), field("ret")]
        case .probeCandidate:
            let isKprobe = tep_find_field(event, "__probe_ip") != nil
            let isKretprobe = tep_find_field(event, "__probe_func") != nil || tep_find_field(event, "__probe_ret_ip") != nil
            if isKprobe || isKretprobe {
                let (function, returnByName) = ProbeEvent.function(fromEventName: name)
                probeFunction = function
                probeIsReturn = returnByName || isKretprobe
                fields = [field("ino"), field("pos"), field("start"), field("count"), field("length"), field("ret", "arg1")]
                let format = event.pointee.print_fmt.format.map { String(cString: $0) } ?? ""
                probeRetHex32 = format.contains("ret=0x") || format.contains("arg1=0x")
            } else {
                // Named like a probe but not one: the text path does not decode it either.
                kind = .ignored
            }
        case .work: fields = [field("func")]
        case .reservationTicket: fields = [field("flags"), field("bytes"), field("start_ns"), field("error")]
        case .iomapIteration: fields = [field("dev"), field("ino"), field("pos"), field("length"), field("flags")]
        case .ignored: break
        }
        self.kind = kind
        decoded = kind.isDecoded
    }

    /// The value of the `__print_flags` entry printed as `name` (e.g. IOCB_WRITE as "WRITE"), from
    /// the parsed print format; 0 when the format has no such entry.
    static func flagValue(_ event: UnsafeMutablePointer<tep_event>, named name: String) -> UInt64 {
        var arg = event.pointee.print_fmt.args
        while let a = arg {
            if a.pointee.type == TEP_PRINT_FLAGS {
                var sym = a.pointee.flags.flags
                while let s = sym {
                    if let str = s.pointee.str, String(cString: str) == name, let value = s.pointee.value {
                        return UInt64(strtoull(value, nil, 0))
                    }
                    sym = s.pointee.next
                }
            }
            arg = a.pointee.next
        }
        return 0
    }
}

final class ReservationType {
    enum Special { case spaceInfo, spaceInfoENOSPC, fixed(SpaceReservation.Kind) }
    let bytes: [UInt8]
    let special: Special

    init(bytes: [UInt8]) {
        self.bytes = bytes
        let s = String(decoding: bytes, as: UTF8.self)
        switch s {
        case "space_info": special = .spaceInfo
        case "space_info:enospc": special = .spaceInfoENOSPC
        default: special = .fixed(SpaceReservation.Kind(type: s, value: 0))
        }
    }
}
