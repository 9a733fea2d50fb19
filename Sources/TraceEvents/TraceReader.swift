public import TraceInput
#if canImport(Glibc)
import Glibc
#endif

/// Reads one text trace (any of the three dialects) and delivers decoded accounting events in
/// input order. Every line is counted: events by name, comments, unrecognized and malformed lines.
public final class TraceReader {
    public let fileIndex: Int32
    public let fileName: String
    public private(set) var statistics = TraceStatistics()
    /// Counts the events read into it, once per chunk read (streamed inputs only).
    public var progress: ProgressCounter?

    private let tokenizer = LineTokenizer()
    /// The header `commonEvent` tokenizes each line into (kept here: no copy per line).
    private var header = EventHeader()
    private let decoder = EventDecoder()
    /// Names of earlier event lines, recognized by `commonEvent` without checking them again.
    private let nameCache = EventNameCache()
    /// The context columns of the last line `commonEvent` took, and the comm read from them (nil
    /// when that line's comm was not read: an event not decoded).
    private let context = RepeatedContext()
    private var contextComm: InternedString?
    // Interned event names.
    private var names: [String] = []
    private var internedNames: [InternedString] = []
    /// Name bytes of every id, back to back (`nameOffsets[id]..<nameOffsets[id + 1]`): one
    /// buffer the per-line comparison reads without retaining an array per name.
    private var namePool = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 8)
    private var namePoolCapacity = 4096
    private var nameOffsets = UnsafeMutablePointer<Int>.allocate(capacity: 1025)
    private var nameOffsetsCapacity = 1025
    private var kinds: [DecoderKind] = []
    /// Events per name id (`names.count` of them; capacity `nameOffsetsCapacity`): counted per
    /// line without an array's uniqueness check.
    private var counts = UnsafeMutablePointer<UInt64>.allocate(capacity: 1025)
    private var lastNameHash: UInt64 = 0
    private var lastNameID: Int32 = -1
    // Interned comms (at most 16 bytes packed into the key).
    private var comms: [CommKey: InternedString] = [:]
    public private(set) var lastTimestamp: UInt64 = 0
    public private(set) var lastTimestampKind: TimestampKind = .none
    /// First timestamped event line of this input (for checks across separately read blocks).
    public private(set) var firstTimestamp: (value: UInt64, kind: TimestampKind, line: Int)?

    public init(fileIndex: Int32, fileName: String) {
        self.fileIndex = fileIndex
        self.fileName = fileName
        nameOffsets[0] = 0
    }

    deinit {
        namePool.deallocate()
        nameOffsets.deallocate()
        counts.deallocate()
    }

    /// Reads all of `source`, calling `sink` for each decoded event and each data-loss marker.
    public func read(_ source: any ByteSource, format: TraceFormat, chunkSize: Int = 4 << 20,
                     sink: (TraceEvent) throws -> Void) throws {
        statistics.formats.append(format.rawValue)
        let observed: any ByteSource = progress.map { EventTallySource(source, reader: self, counter: $0) } ?? source
        let reader = LineReader(source: observed, chunkSize: chunkSize)
        try reader.forEachLine { line in
            try self.consume(line, sink: sink)
        }
        finishInput(bytes: reader.bytesRead)
    }

    private func finishInput(bytes: Int) {
        statistics.bytes = UInt64(bytes)
        for i in names.indices where counts[i] > 0 { statistics.eventsByName[names[i], default: 0] += counts[i] }
    }

    /// Reads an in-memory (mapped) trace; same results as streaming the same bytes.
    public func read(mapped buffer: UnsafeRawBufferPointer, format: TraceFormat, sink: (TraceEvent) throws -> Void) throws {
        statistics.formats.append(format.rawValue)
        try LineReader.forEachLine(in: buffer) { line in
            try self.consume(line, sink: sink)
        }
        finishInput(bytes: buffer.count)
    }

    /// Reads one line framed elsewhere (a streamed block that is one overlong line, of which only
    /// the first part was kept), as `read(mapped:)` reads a line.
    public func read(line: Line, format: TraceFormat, sink: (TraceEvent) throws -> Void) throws {
        statistics.formats.append(format.rawValue)
        try consume(line, sink: sink)
        finishInput(bytes: line.length)
    }

    @inline(__always)
    private func consume(_ line: Line, sink: (TraceEvent) throws -> Void) throws {
        statistics.lines += 1
        let p = line.bytes
        if line.isOverlong {
            statistics.overlongLines += 1
            statistics.malformedLines += 1
            statistics.note(.overlong, file: fileName, line: line.number, "line of \(line.length) bytes exceeds the \(p.count)-byte limit; skipped")
            return
        }
        if line.isUnterminated {
            statistics.unterminatedLines += 1
            statistics.note(.unterminated, file: fileName, line: line.number, "last line has no newline (input cut short?)")
        }
        if tokenizer.commonEvent(p, into: &header, names: nameCache, context: context) {
            try consumeEvent(header, line, viaContext: true, sink: sink)
            return
        }
        switch tokenizer.classify(p) {
        case .blank:
            statistics.blankLines += 1
        case .comment, .traceCmdHeader:
            statistics.commentLines += 1
        case .callchainFrame:
            statistics.callchainLines += 1
        case .stackTrace:
            statistics.stackTraceLines += 1
        case .function:
            statistics.functionLines += 1
        case .functionGraph:
            statistics.functionGraphLines += 1
        case .entriesHeader(let inBuffer, let written):
            statistics.commentLines += 1
            if written > inBuffer {
                try loss(.overwritten, cpu: -1, count: written - inBuffer, line: line, sink: sink)
            }
        case .lost(let cpu, let count), .traceCmdDropped(let cpu, let count):
            statistics.dataLossLines += 1
            try loss(.lost, cpu: cpu, count: count, line: line, sink: sink)
        case .bufferStarted(let cpu):
            statistics.dataLossLines += 1
            try loss(.bufferStarted, cpu: cpu, count: 0, line: line, sink: sink)
        case .unrecognized:
            statistics.unrecognizedLines += 1
            statistics.note(.unrecognized, file: fileName, line: line.number, "not a trace line: \(preview(p))")
        case .event(let h):
            try consumeEvent(h, line, viaContext: false, sink: sink)
        }
    }

    @inline(__always)
    /// `viaContext`: the header is `commonEvent`'s, whose context columns `context` now holds.
    private func consumeEvent(_ h: EventHeader, _ line: Line, viaContext: Bool, sink: (TraceEvent) throws -> Void) throws {
        let p = line.bytes
        // The comm of the line before when this one repeats its columns; forgotten unless read below.
        let repeatedComm = viaContext && h.contextRepeated ? contextComm : nil
        if viaContext { contextComm = nil }
        statistics.events += 1
        // The name's number: kept in the name cache's entry after the first line of that name.
        var id = h.nameEntry >= 0 ? nameCache.id(of: h.nameEntry) : -1
        if id < 0 {
            id = nameID(p, h.nameStart, h.nameEnd, hash: h.nameHash)
            if h.nameEntry >= 0 { nameCache.setID(id, of: h.nameEntry) }
        }
        counts[Int(id)] &+= 1
        if h.timestampKind != .none && h.timestampKind != .relativeMicroseconds {
            if h.timestampKind == lastTimestampKind && h.timestamp < lastTimestamp {
                statistics.noteBackwards(file: fileName, line: line.number)
            }
            if firstTimestamp == nil { firstTimestamp = (h.timestamp, h.timestampKind, line.number) }
            lastTimestamp = h.timestamp
            lastTimestampKind = h.timestampKind
        }
        let kind = kinds[Int(id)]
        guard kind.isDecoded else { return }
        let result = decoder.decode(kind, name: internedNames[Int(id)], id: Int(id), p, h.payloadStart, p.count)
        if result.malformed {
            statistics.malformedLines += 1
            statistics.note(.malformed, file: fileName, line: line.number, "cannot decode \(names[Int(id)]) payload: \(preview(p))")
            return
        }
        guard let payload = result.event else { return }
        statistics.decodedEvents += 1
        let taskComm = repeatedComm ?? comm(p, h.commStart, h.commEnd, pid: h.pid)
        if viaContext { contextComm = taskComm }
        let event = TraceEvent(
            origin: EventOrigin(file: fileIndex, line: line.number),
            timestamp: h.timestampKind == .none ? nil : h.timestamp, timestampKind: h.timestampKind,
            cpu: h.cpu, pid: h.pid, comm: taskComm, name: internedNames[Int(id)],
            filesystem: result.filesystem, payload: payload)
        try sink(event)
    }

    private func loss(_ kind: DataLoss.Kind, cpu: Int32, count: UInt64, line: Line, sink: (TraceEvent) throws -> Void) throws {
        statistics.dataLossMarkers += 1
        statistics.noteLostEvents(count, cpu: cpu)
        statistics.note(.dataLoss, file: fileName, line: line.number,
                        kind == .overwritten ? "\(count) events were overwritten before the trace was read"
                            : kind == .bufferStarted ? "CPU \(cpu) buffer started: its older events were overwritten"
                            : "CPU \(cpu): \(count == 0 ? "some" : String(count)) events lost")
        try sink(TraceEvent(origin: EventOrigin(file: fileIndex, line: line.number), timestamp: nil, timestampKind: .none,
                            cpu: cpu, pid: -1, comm: "", name: "<data-loss>", filesystem: nil,
                            payload: .dataLoss(DataLoss(kind: kind, cpu: cpu, count: count))))
    }

    private func preview(_ p: UnsafeRawBufferPointer) -> String {
        let n = min(p.count, 80)
        var s = String(decoding: UnsafeRawBufferPointer(rebasing: p[0..<n]), as: UTF8.self)
        s = String(s.map { $0.isASCII && ($0 == " " || !$0.isWhitespace) && ($0.asciiValue ?? 0) >= 0x20 ? $0 : "?" })
        return p.count > n ? s + "..." : s
    }

    // Open-addressing table from name hash to id (power-of-two size, linear probing).
    private var slotHashes = [UInt64](repeating: 0, count: 1024)
    private var slotIDs = [Int32](repeating: -1, count: 1024)

    @inline(__always)
    private func nameID(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int, hash h: UInt64) -> Int32 {
        if h == lastNameHash && lastNameID >= 0 && nameEquals(lastNameID, p, s, e) { return lastNameID }
        let mask = slotHashes.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while slotIDs[slot] >= 0 {
            let id = slotIDs[slot]
            if slotHashes[slot] == h && nameEquals(id, p, s, e) {
                lastNameHash = h
                lastNameID = id
                return id
            }
            slot = (slot + 1) & mask
        }
        let name = Bytes.string(p, s, e)
        let id = Int32(names.count)
        names.append(name)
        internedNames.append(InternedString(name))
        appendNameBytes(p, s, e)
        kinds.append(DecoderKind.forName(name))
        counts[Int(id)] = 0
        if names.count * 2 > slotHashes.count { rehash() } else {
            slotHashes[slot] = h
            slotIDs[slot] = id
        }
        lastNameHash = h
        lastNameID = id
        return id
    }

    private func rehash() {
        let size = slotHashes.count * 2
        slotHashes = [UInt64](repeating: 0, count: size)
        slotIDs = [Int32](repeating: -1, count: size)
        for i in 0..<names.count {
            let start = nameOffsets[i]
            let h = Bytes.nameHash(UnsafeRawBufferPointer(start: namePool, count: nameOffsets[i + 1]), start, nameOffsets[i + 1])
            var slot = Int(truncatingIfNeeded: h) & (size - 1)
            while slotIDs[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slotHashes[slot] = h
            slotIDs[slot] = Int32(i)
        }
    }

    @inline(__always)
    private func nameEquals(_ id: Int32, _ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        let start = nameOffsets[Int(id)]
        let n = nameOffsets[Int(id) + 1] - start
        if n != e - s { return false }
        guard n > 0, let base = p.baseAddress else { return true }
        return memcmp(namePool + start, base + s, n) == 0
    }

    /// Appends the bytes of a new name (its id is `names.count - 1`) to the pool.
    private func appendNameBytes(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) {
        let id = names.count - 1
        let start = nameOffsets[id]
        let n = e - s
        if start + n > namePoolCapacity {
            let capacity = max(namePoolCapacity * 2, start + n)
            let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            grown.copyMemory(from: namePool, byteCount: start)
            namePool.deallocate()
            namePool = grown
            namePoolCapacity = capacity
        }
        if id + 2 > nameOffsetsCapacity {
            let capacity = nameOffsetsCapacity * 2
            let grown = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
            grown.initialize(from: nameOffsets, count: id + 1)
            nameOffsets.deallocate()
            nameOffsets = grown
            let grownCounts = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
            grownCounts.initialize(from: counts, count: id)
            counts.deallocate()
            counts = grownCounts
            nameOffsetsCapacity = capacity
        }
        if n > 0, let base = p.baseAddress { (namePool + start).copyMemory(from: base + s, byteCount: n) }
        nameOffsets[id + 1] = start + n
    }

    // Last comm seen per pid slot: a task keeps its comm, so most lookups hit without hashing.
    private var commSlots = [(pid: Int32, key: CommKey, comm: InternedString)](repeating: (-2, CommKey(), ""), count: 512)

    private func comm(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int, pid: Int32) -> InternedString {
        guard e - s <= 16 else { return InternedString(Bytes.string(p, s, e)) }
        var key = CommKey()
        let n = e - s
        if s + 16 <= p.count {
            // Two unaligned words, the bytes past the comm masked off (the line goes on after it).
            let a = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: s, as: UInt64.self))
            let b = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: s + 8, as: UInt64.self))
            key.a = n >= 8 ? a : a & ((1 << UInt64(n * 8)) &- 1)
            key.b = n >= 16 ? b : n <= 8 ? 0 : b & ((1 << UInt64((n - 8) * 8)) &- 1)
        } else {
            for i in s..<e {
                let shift = UInt64((i - s) % 8) * 8
                if i - s < 8 { key.a |= UInt64(p[i]) << shift } else { key.b |= UInt64(p[i]) << shift }
            }
        }
        key.length = UInt8(n)
        let slot = Int(UInt32(bitPattern: pid) & 511)
        if commSlots[slot].pid == pid && commSlots[slot].key == key { return commSlots[slot].comm }
        let c: InternedString
        if let known = comms[key] { c = known } else {
            c = InternedString(Bytes.string(p, s, e))
            comms[key] = c
        }
        commSlots[slot] = (pid, key, c)
        return c
    }
}

private struct CommKey: Hashable {
    var a: UInt64 = 0
    var b: UInt64 = 0
    var length: UInt8 = 0
}

/// Opens an input path, sniffs its format, and rejects what is not a trace.
public enum TraceInputOpener {
    public static func open(path: String, formatOverride: TraceFormat? = nil,
                            progress: ProgressCounter? = nil) throws(InputError) -> (PeekableSource, TraceFormat) {
        let source = try InputOpener.open(path: path, progress: progress)
        let display = path == "-" ? "<stdin>" : path
        if source.prefix.isEmpty {
            throw InputError(file: display, message: "empty input: no trace events")
        }
        if let formatOverride { return (source, formatOverride) }
        guard let format = TraceFormat.sniff(source.prefix) else {
            throw InputError(file: display, line: 1,
                             message: "not a recognized trace (expected ftrace text, trace-cmd report, perf script or trace.dat)")
        }
        return (source, format)
    }
}
