#if canImport(Glibc)
import Glibc
#endif

/// What a trace-cmd `trace.dat` version 6 is made of, as read from tracefs: the format texts, the
/// symbol and command tables and, per CPU, a file of whole ring-buffer pages as
/// `per_cpu/cpuN/trace_pipe_raw` returns them.
public struct TraceDatContents: Sendable {
    /// One CPU's data: a file of whole pages (`pageSize` each), or nil when the CPU recorded none.
    public struct CPUData: Sendable {
        public var cpu: Int
        public var path: String?
        public init(cpu: Int, path: String?) {
            self.cpu = cpu
            self.path = path
        }
    }

    /// `events/header_page`, `events/header_event`.
    public var headerPage: [UInt8]
    public var headerEvent: [UInt8]
    /// `events/ftrace/*/format`.
    public var ftraceFormats: [[UInt8]]
    /// `events/SYSTEM/NAME/format` of the enabled events, by system.
    public var eventFormats: [(system: String, formats: [[UInt8]])]
    /// `/proc/kallsyms`, `printk_formats`, `saved_cmdlines`.
    public var kallsyms: [UInt8]
    public var printkFormats: [UInt8]
    public var savedCommandLines: [UInt8]
    /// `sysname nodename release version machine` (the UNAME option), if known.
    public var uname: String?
    /// Per CPU, the text of `per_cpu/cpuN/stats` (CPUSTAT options, shown by `trace-cmd report --stat`).
    public var cpuStatistics: [(cpu: Int, text: String)]
    public var pageSize: Int
    /// Every CPU of the buffer, in CPU order (the file lists `count = last CPU + 1` CPUs).
    public var cpus: [CPUData]

    public init(headerPage: [UInt8], headerEvent: [UInt8], ftraceFormats: [[UInt8]],
                eventFormats: [(system: String, formats: [[UInt8]])], kallsyms: [UInt8], printkFormats: [UInt8],
                savedCommandLines: [UInt8], uname: String?, cpuStatistics: [(cpu: Int, text: String)],
                pageSize: Int, cpus: [CPUData]) {
        self.headerPage = headerPage
        self.headerEvent = headerEvent
        self.ftraceFormats = ftraceFormats
        self.eventFormats = eventFormats
        self.kallsyms = kallsyms
        self.printkFormats = printkFormats
        self.savedCommandLines = savedCommandLines
        self.uname = uname
        self.cpuStatistics = cpuStatistics
        self.pageSize = pageSize
        self.cpus = cpus
    }
}

/// A failure writing a trace.dat: the path and what went wrong.
public struct TraceDatWriteError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// Writes a trace-cmd `trace.dat` version 6, uncompressed, in host byte order: the layout
/// `trace-cmd.dat.v6(5)` describes and trace-cmd's `lib/trace-cmd/trace-output.c` writes
/// (magic, version, endianness, long size, page size; header_page and header_event; ftrace and
/// event formats; kallsyms; printk formats; saved command lines; CPU count; options UNAME and
/// CPUSTAT; `flyrecord` with each CPU's pages at a page-aligned offset).
///
/// `trace-cmd report` and `TraceDatReader` read what it writes.
public enum TraceDatWriter {
    static let optionCPUStatistics: UInt16 = 2
    static let optionUname: UInt16 = 5

    /// Writes `contents` to `path` (created or truncated, mode 0644).
    /// - Returns: the file size.
    @discardableResult
    public static func write(_ contents: TraceDatContents, to path: String) throws(TraceDatWriteError) -> Int {
        func failure(_ what: String, _ code: Int32 = errno) -> TraceDatWriteError {
            TraceDatWriteError(path: path, message: "\(what): \(String(cString: strerror(code)))")
        }
        let (header, placed, offset) = try plan(contents, path: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create") }
        defer { close(fd) }
        try writeAll(fd, header, path: path)
        for (index, cpu) in contents.cpus.enumerated() where placed[index].size > 0 {
            guard let data = cpu.path else { continue }
            guard lseek(fd, off_t(placed[index].offset), SEEK_SET) >= 0 else { throw failure("cannot seek") }
            try copy(data, into: fd, path: path)
        }
        guard ftruncate(fd, off_t(offset)) == 0 else { throw failure("cannot set the size") }
        return offset
    }

    /// The size `write` gives `contents`, without writing.
    public static func size(of contents: TraceDatContents) throws(TraceDatWriteError) -> Int {
        try plan(contents, path: "<size>").size
    }

    /// The header with the per-CPU offsets and sizes, where each CPU's data goes, the file size.
    private static func plan(_ contents: TraceDatContents, path: String) throws(TraceDatWriteError)
        -> (header: [UInt8], placed: [(offset: Int, size: Int)], size: Int) {
        var sizes: [Int] = []
        for cpu in contents.cpus {
            guard let data = cpu.path else { sizes.append(0); continue }
            var st = stat()
            guard stat(data, &st) == 0 else {
                throw TraceDatWriteError(path: path, message: "cannot read CPU \(cpu.cpu) data \(data): \(String(cString: strerror(errno)))")
            }
            sizes.append(Int(st.st_size))
        }
        var header = headerBytes(contents)
        // Per CPU: 8-byte offset, 8-byte size; the data follows, each CPU's page-aligned.
        var offset = header.count + 16 * contents.cpus.count
        var placed: [(offset: Int, size: Int)] = []
        for size in sizes {
            offset = aligned(offset, contents.pageSize)
            placed.append((size == 0 ? 0 : offset, size))
            offset += size
        }
        for place in placed {
            append(UInt64(place.offset), to: &header)
            append(UInt64(place.size), to: &header)
        }
        return (header, placed, offset)
    }

    /// Everything before the per-CPU offsets.
    static func headerBytes(_ c: TraceDatContents) -> [UInt8] {
        var out = TraceDatLayout.magic + Array("6\0".utf8)
        out.append(1.bigEndian == 1 ? 1 : 0)
        out.append(UInt8(MemoryLayout<Int>.size))
        append(UInt32(c.pageSize), to: &out)
        out += Array("header_page\0".utf8)
        append(UInt64(c.headerPage.count), to: &out)
        out += c.headerPage
        out += Array("header_event\0".utf8)
        append(UInt64(c.headerEvent.count), to: &out)
        out += c.headerEvent
        append(UInt32(c.ftraceFormats.count), to: &out)
        for format in c.ftraceFormats {
            append(UInt64(format.count), to: &out)
            out += format
        }
        append(UInt32(c.eventFormats.count), to: &out)
        for (system, formats) in c.eventFormats {
            out += Array(system.utf8) + [0]
            append(UInt32(formats.count), to: &out)
            for format in formats {
                append(UInt64(format.count), to: &out)
                out += format
            }
        }
        append(UInt32(c.kallsyms.count), to: &out)
        out += c.kallsyms
        append(UInt32(c.printkFormats.count), to: &out)
        out += c.printkFormats
        append(UInt64(c.savedCommandLines.count), to: &out)
        out += c.savedCommandLines
        append(UInt32(c.cpus.count), to: &out)
        out += Array("options  \0".utf8)
        if let uname = c.uname { option(optionUname, Array(uname.utf8) + [0], to: &out) }
        for (cpu, text) in c.cpuStatistics {
            option(optionCPUStatistics, Array("CPU: \(cpu)\n\(text)".utf8) + [0], to: &out)
        }
        append(UInt16(0), to: &out)
        out += Array("flyrecord\0".utf8)
        return out
    }

    private static func option(_ id: UInt16, _ data: [UInt8], to out: inout [UInt8]) {
        append(id, to: &out)
        append(UInt32(data.count), to: &out)
        out += data
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value) { out += $0 }
    }

    static func aligned(_ offset: Int, _ alignment: Int) -> Int {
        (offset + alignment - 1) / alignment * alignment
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(TraceDatWriteError) {
        var failure: TraceDatWriteError?
        bytes.withUnsafeBytes { raw in
            do throws(TraceDatWriteError) { try writeAll(fd, raw, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer, path: String) throws(TraceDatWriteError) {
        guard var base = raw.baseAddress else { return }
        var left = raw.count
        while left > 0 {
            let n = Glibc.write(fd, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw TraceDatWriteError(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
            }
            left -= n
            base += n
        }
    }

    /// Appends the file at `source` to `fd` (from its current offset).
    private static func copy(_ source: String, into fd: Int32, path: String) throws(TraceDatWriteError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw TraceDatWriteError(path: path, message: "cannot open \(source): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = read(input, chunk.baseAddress, chunk.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw TraceDatWriteError(path: path, message: "cannot read \(source): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return }
            try writeAll(fd, UnsafeRawBufferPointer(rebasing: chunk[0..<n]), path: path)
        }
    }
}
