/// Where everything is in a trace-cmd `trace.dat`, version 6 (sequential headers) or 7 (sections
/// found through options, optionally compressed), read natively with bounds checks on every size
/// and offset: a corrupt or hostile file gives `TraceDatCorruption`, never a wild read.
///
/// Formats: trace-cmd's `trace-cmd.dat.v6(5)` and `trace-cmd.dat.v7(5)`. Only what the reader
/// uses is kept: byte order, page size, the ring-buffer page header, every event's name and ID
/// (fields are parsed when a record of the event is first met), the saved command lines, the
/// kallsyms text (parsed only when a function address must be named), the time options and, per
/// buffer instance, each CPU's data.
struct TraceDatLayout {
    struct CPUData {
        var cpu: Int32
        var offset: Int
        var size: Int
    }

    struct Buffer {
        var name: String
        var cpus: [CPUData]
        /// v7 with a compression: each CPU's data is a list of compressed chunks.
        var compressed: Bool
        var pageSize: Int
    }

    /// A format text, not yet parsed beyond its name and ID.
    struct FormatText {
        var system: String
        var text: UnsafeRawBufferPointer
    }

    var version = 6
    var bigEndian = false
    var longSize = 8
    var pageSize = 4096
    var compression: TraceDatCompression?
    /// Size of the page header's `commit` field (the kernel's long) and where page data starts.
    var commitSize = 8
    var pageDataOffset = 16
    var formats: [Int: FormatText] = [:]
    /// The kallsyms text (v6), or where its section is (v7: see `kallsymsText`).
    var kallsyms: UnsafeRawBufferPointer?
    private var kallsymsSection: (offset: Int, file: TraceDatCursor)?
    var cmdlines: UnsafeRawBufferPointer?
    var uname: String?
    /// Per CPU, the events the CPUSTAT options (the ring buffer's `per_cpu/cpuN/stats` at the end of
    /// the recording) count as overwritten, dropped or lost to commit overruns.
    var statisticsLossByCPU: [Int32: UInt64] = [:]
    var timeOffset: Int64 = 0
    var tscToNanoseconds: (multiplier: UInt32, shift: UInt32, offset: UInt64)?
    var buffers: [Buffer] = []
    /// Decompressed sections (v7), owned for the slices above.
    let storage = SectionStorage()

    /// Larger decompressed sections are refused (real ones are a few MB: kallsyms is the largest).
    static let maximumSectionSize = 256 << 20

    static let magic: [UInt8] = [0x17, 0x08, 0x44] + Array("tracing".utf8)

    init(file bytes: UnsafeRawBufferPointer) throws(TraceDatCorruption) {
        var cursor = TraceDatCursor(bytes, bigEndian: false)
        try cursor.expect(Self.magic, "the trace-cmd magic")
        let versionText = try cursor.cString("the file version")
        guard let version = Int(versionText), version == 6 || version == 7 else {
            throw TraceDatCorruption("file version '\(versionText.prefix(16))' is not 6 or 7")
        }
        self.version = version
        let endian = try cursor.u8("the byte order")
        guard endian <= 1 else { throw TraceDatCorruption("byte order flag \(endian) is neither 0 nor 1") }
        bigEndian = endian == 1
        longSize = Int(try cursor.u8("the long size"))
        guard longSize == 4 || longSize == 8 else { throw TraceDatCorruption("long size \(longSize) is neither 4 nor 8") }
        cursor = TraceDatCursor(bytes, bigEndian: bigEndian, position: cursor.position)
        pageSize = Int(try cursor.u32("the page size"))
        guard pageSize >= 64, pageSize <= 1 << 24 else { throw TraceDatCorruption("page size \(pageSize) is implausible") }
        if version == 6 {
            try readVersion6(&cursor)
        } else {
            try readVersion7(&cursor)
        }
    }

    // MARK: - version 6

    private mutating func readVersion6(_ cursor: inout TraceDatCursor) throws(TraceDatCorruption) {
        try readHeaders(&cursor)
        try readFtraceFormats(&cursor)
        try readEventFormats(&cursor)
        let kallsymsSize = Int(try cursor.u32("the kallsyms size"))
        kallsyms = try cursor.slice(kallsymsSize, "the kallsyms")
        let printkSize = Int(try cursor.u32("the printk formats size"))
        _ = try cursor.slice(printkSize, "the printk formats")
        let cmdlinesSize = try cursor.size64("the saved command lines size")
        cmdlines = try cursor.slice(cmdlinesSize, "the saved command lines")
        let cpus = Int(try cursor.u32("the CPU count"))
        guard cpus <= 4096 else { throw TraceDatCorruption("CPU count \(cpus) is implausible") }
        var instances: [(name: String, offset: Int)] = []
        // "options  \0" (optional), then "flyrecord\0" or "latency  \0".
        while true {
            let tag = try cursor.slice(10, "the options or data tag")
            if tag.elementsEqual(Array("options  \0".utf8)) {
                try readOptions6(&cursor, instances: &instances)
            } else if tag.elementsEqual(Array("flyrecord\0".utf8)) {
                buffers.append(Buffer(name: "", cpus: try flyrecordCPUs(&cursor, count: cpus), compressed: false, pageSize: pageSize))
                break
            } else if tag.elementsEqual(Array("latency  \0".utf8)) {
                throw TraceDatCorruption("a latency-tracer trace.dat (no per-CPU event data) is not supported")
            } else {
                throw TraceDatCorruption("unknown section tag at offset \(cursor.position - 10)")
            }
        }
        for instance in instances {
            var at = cursor
            try at.seek(instance.offset, "buffer instance '\(instance.name)'")
            if at.remaining >= 10, at.bytes[at.position..<at.position + 10].elementsEqual(Array("flyrecord\0".utf8)) { at.position += 10 }
            buffers.append(Buffer(name: instance.name, cpus: try flyrecordCPUs(&at, count: cpus), compressed: false, pageSize: pageSize))
        }
    }

    /// Per CPU: 8-byte offset and 8-byte size of its pages.
    private func flyrecordCPUs(_ cursor: inout TraceDatCursor, count: Int) throws(TraceDatCorruption) -> [CPUData] {
        var cpus: [CPUData] = []
        for cpu in 0..<count {
            let offset = try cursor.size64("CPU \(cpu) data offset")
            let size = try cursor.size64("CPU \(cpu) data size")
            cpus.append(CPUData(cpu: Int32(cpu), offset: offset, size: size))
        }
        return cpus
    }

    private mutating func readOptions6(_ cursor: inout TraceDatCursor, instances: inout [(name: String, offset: Int)]) throws(TraceDatCorruption) {
        while true {
            let id = try cursor.u16("an option id")
            if id == 0 { return }
            let size = Int(try cursor.u32("option \(id) size"))
            var data = TraceDatCursor(try cursor.slice(size, "option \(id)"), bigEndian: bigEndian, fileOffset: cursor.position - size)
            if id == 3 {
                let offset = try data.size64("buffer instance offset")
                instances.append((try data.cString("buffer instance name"), offset))
            } else {
                try readCommonOption(id, &data)
            }
        }
    }

    // MARK: - version 7

    private mutating func readVersion7(_ cursor: inout TraceDatCursor) throws(TraceDatCorruption) {
        let name = try cursor.cString("the compression name")
        _ = try cursor.cString("the compression version")
        if name != "none" {
            guard let algorithm = TraceDatCompression(name: name) else {
                throw TraceDatCorruption("compression '\(name.prefix(32))' is not supported (zstd and zlib are)")
            }
            compression = algorithm
        }
        var optionsOffset = try cursor.size64("the first options section offset")
        var visited = Set<Int>()
        var sections: [UInt16: Int] = [:]
        while optionsOffset != 0 {
            guard visited.insert(optionsOffset).inserted, visited.count <= 1024 else {
                throw TraceDatCorruption("options sections form a loop at offset \(optionsOffset)")
            }
            var options = try section(at: optionsOffset, id: 0, cursor)
            optionsOffset = 0
            while options.remaining > 0 {
                let id = try options.u16("an option id")
                let size = Int(try options.u32("option \(id) size"))
                var data = TraceDatCursor(try options.slice(size, "option \(id)"), bigEndian: bigEndian,
                                          fileOffset: options.fileOffset + options.position - size)
                switch id {
                case 0: optionsOffset = try data.size64("the next options section offset")
                case 3: buffers.append(try buffer7(&data, cursor))
                case 16...21: sections[id] = try data.size64("section \(id) offset")
                default: try readCommonOption(id, &data)
                }
                if id == 0 { break }
            }
        }
        if let offset = sections[16] {
            var headers = try section(at: offset, id: 16, cursor)
            try readHeaders(&headers)
        }
        if let offset = sections[17] {
            var ftrace = try section(at: offset, id: 17, cursor)
            try readFtraceFormats(&ftrace)
        }
        if let offset = sections[18] {
            var events = try section(at: offset, id: 18, cursor)
            try readEventFormats(&events)
        }
        // kallsyms (megabytes) is decompressed only when a function address must be named.
        kallsymsSection = sections[19].map { ($0, cursor) }
        if let offset = sections[21] {
            var commands = try section(at: offset, id: 21, cursor)
            let size = try commands.size64("the saved command lines size")
            cmdlines = try commands.slice(size, "the saved command lines")
        }
    }

    /// The kallsyms text, decompressing its section on first use; nil when absent or unreadable
    /// (addresses are then not named, as without kallsyms).
    func kallsymsText() -> UnsafeRawBufferPointer? {
        if let kallsyms { return kallsyms }
        guard let (offset, file) = kallsymsSection else { return nil }
        var copy = self
        guard var symbols = try? copy.section(at: offset, id: 19, file),
              let size = try? symbols.u32("the kallsyms size") else { return nil }
        return try? symbols.slice(Int(size), "the kallsyms")
    }

    /// The content of the section at `offset`, decompressed when its flags say so.
    private mutating func section(at offset: Int, id expected: UInt16, _ file: TraceDatCursor) throws(TraceDatCorruption) -> TraceDatCursor {
        var cursor = file
        try cursor.seek(offset, "section \(expected)")
        let id = try cursor.u16("section id")
        guard id == expected else { throw TraceDatCorruption("section at offset \(offset) is \(id), expected \(expected)") }
        let flags = try cursor.u16("section \(id) flags")
        _ = try cursor.u32("section \(id) description")
        let size = try cursor.size64("section \(id) size")
        let start = cursor.position
        let content = try cursor.slice(size, "section \(id)")
        guard flags & 1 != 0 else { return TraceDatCursor(content, bigEndian: bigEndian, fileOffset: start) }
        guard let compression else { throw TraceDatCorruption("section \(id) is compressed in a file without a compression") }
        var header = TraceDatCursor(content, bigEndian: bigEndian, fileOffset: start)
        let compressedSize = Int(try header.u32("section \(id) compressed size"))
        let size32 = Int(try header.u32("section \(id) uncompressed size"))
        let data = try header.slice(compressedSize, "section \(id) compressed data")
        guard size32 <= Self.maximumSectionSize else {
            throw TraceDatCorruption("section \(id) claims \(size32) bytes uncompressed (more than \(Self.maximumSectionSize))")
        }
        let decompressed = storage.allocate(size32)
        try compression.decompress(data, into: decompressed, what: "section \(id)")
        return TraceDatCursor(UnsafeRawBufferPointer(decompressed), bigEndian: bigEndian, fileOffset: start)
    }

    /// BUFFER (v7): section offset, name, clock, page size, then per CPU: id, offset, size.
    private func buffer7(_ data: inout TraceDatCursor, _ file: TraceDatCursor) throws(TraceDatCorruption) -> Buffer {
        let sectionOffset = try data.size64("buffer section offset")
        let name = try data.cString("buffer name")
        _ = try data.cString("buffer clock")
        let page = Int(try data.u32("buffer page size"))
        guard page >= 64, page <= 1 << 24 else { throw TraceDatCorruption("buffer '\(name)' page size \(page) is implausible") }
        let count = Int(try data.u32("buffer CPU count"))
        guard count <= 4096 else { throw TraceDatCorruption("buffer '\(name)' CPU count \(count) is implausible") }
        var cpus: [CPUData] = []
        for _ in 0..<count {
            let cpu = try data.u32("buffer CPU id")
            let offset = try data.size64("CPU \(cpu) data offset")
            let size = try data.size64("CPU \(cpu) data size")
            guard cpu <= UInt32(Int32.max) else { throw TraceDatCorruption("CPU id \(cpu) is implausible") }
            cpus.append(CPUData(cpu: Int32(cpu), offset: offset, size: size))
        }
        var header = file
        try header.seek(sectionOffset, "buffer '\(name)' section")
        _ = try header.u16("buffer section id")
        let flags = try header.u16("buffer section flags")
        return Buffer(name: name, cpus: cpus, compressed: flags & 1 != 0 && compression != nil, pageSize: page)
    }

    // MARK: - shared parts

    /// DATE (1), CPUSTAT (2), UNAME (5), OFFSET (7), TSC2NSEC (14); the rest is not needed to read events.
    private mutating func readCommonOption(_ id: UInt16, _ data: inout TraceDatCursor) throws(TraceDatCorruption) {
        switch id {
        case 1, 7:
            let text = (try? data.cString("option \(id)")) ?? ""
            if let value = Self.integer(text) { timeOffset &+= value }
        case 5:
            uname = try? data.cString("the UNAME option")
        case 2:
            if let text = try? data.cString("the CPUSTAT option") { noteCPUStatistics(text) }
        case 14:
            let multiplier = try data.u32("TSC2NSEC multiplier")
            let shift = try data.u32("TSC2NSEC shift")
            let offset = try data.u64("TSC2NSEC offset")
            if multiplier != 0, shift < 64 { tscToNanoseconds = (multiplier, shift, offset) }
        default:
            break
        }
    }

    /// `CPU: N` then `key: value` lines (`overrun`, `commit overrun`, `dropped events`, ...).
    private mutating func noteCPUStatistics(_ text: String) {
        var cpu: Int32?
        var lost: UInt64 = 0
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let value = line[line.index(after: colon)...].split(separator: " ").first.flatMap { UInt64($0) }
            switch key {
            case "CPU": cpu = value.flatMap { Int32(exactly: $0) }
            case "overrun", "commit overrun", "dropped events": lost = lost.addingReportingOverflow(value ?? 0).partialValue
            default: break
            }
        }
        if let cpu, lost > 0 { statisticsLossByCPU[cpu, default: 0] = max(statisticsLossByCPU[cpu] ?? 0, lost) }
    }

    /// `strtoll(text, NULL, 0)`: decimal, `0x` hex, optional sign.
    static func integer(_ text: String) -> Int64? {
        var body = Substring(text.trimmingSpaces)
        var negative = false
        if body.hasPrefix("-") { negative = true; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
        let digits = body.prefix { $0.isHexDigit || $0 == "x" || $0 == "X" }
        let value = digits.hasPrefix("0x") || digits.hasPrefix("0X") ? Int64(digits.dropFirst(2), radix: 16) : Int64(digits)
        guard let value else { return nil }
        return negative ? -value : value
    }

    /// `header_page\0` size text `header_event\0` size text; the page header gives the commit size.
    private mutating func readHeaders(_ cursor: inout TraceDatCursor) throws(TraceDatCorruption) {
        try cursor.expect(Array("header_page\0".utf8), "the header_page tag")
        let pageSize = try cursor.size64("the header_page size")
        let page = try cursor.slice(pageSize, "the header_page")
        try cursor.expect(Array("header_event\0".utf8), "the header_event tag")
        let eventSize = try cursor.size64("the header_event size")
        _ = try cursor.slice(eventSize, "the header_event")
        // field: local_t commit;	offset:8;	size:8;	signed:1;
        // field: char data;	offset:16;	size:4080;	signed:1;
        let fields = EventFormat.fields(ofHeaderPage: page)
        if let commit = fields["commit"] {
            guard commit.offset == 8, commit.size == 4 || commit.size == 8 else {
                throw TraceDatCorruption("the page header's commit field (offset \(commit.offset), size \(commit.size)) is not supported")
            }
            commitSize = commit.size
        } else {
            commitSize = longSize
        }
        pageDataOffset = fields["data"]?.offset ?? 8 + commitSize
        guard pageDataOffset == 8 + commitSize else {
            throw TraceDatCorruption("the page header's data field at offset \(pageDataOffset) is not supported")
        }
    }

    /// Count, then per format: 8-byte size and the text.
    private mutating func readFtraceFormats(_ cursor: inout TraceDatCursor) throws(TraceDatCorruption) {
        let count = Int(try cursor.u32("the ftrace format count"))
        for index in 0..<count {
            let size = try cursor.size64("ftrace format \(index) size")
            add(FormatText(system: "ftrace", text: try cursor.slice(size, "ftrace format \(index)")))
        }
    }

    /// System count; per system: its name, a count, and per format an 8-byte size and the text.
    private mutating func readEventFormats(_ cursor: inout TraceDatCursor) throws(TraceDatCorruption) {
        let systems = Int(try cursor.u32("the event system count"))
        for _ in 0..<systems {
            let system = try cursor.cString("an event system name")
            let count = Int(try cursor.u32("the format count of system \(system.prefix(64))"))
            for index in 0..<count {
                let size = try cursor.size64("\(system.prefix(64)) format \(index) size")
                add(FormatText(system: system, text: try cursor.slice(size, "\(system.prefix(64)) format \(index)")))
            }
        }
    }

    private mutating func add(_ format: FormatText) {
        // A format without name or ID cannot be matched to records: its records count as unknown.
        guard let (_, id) = EventFormat.header(format.text) else { return }
        formats[id] = format
    }
}

/// Memory for decompressed sections, freed with the layout's last copy.
final class SectionStorage {
    private var blocks: [UnsafeMutableRawBufferPointer] = []

    func allocate(_ size: Int) -> UnsafeMutableRawBufferPointer {
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
        blocks.append(block)
        return UnsafeMutableRawBufferPointer(rebasing: block[0..<size])
    }

    deinit {
        for block in blocks { block.deallocate() }
    }
}
