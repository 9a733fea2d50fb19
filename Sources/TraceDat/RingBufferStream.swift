#if canImport(Glibc)
import Glibc
#endif

/// The records of one CPU of one buffer instance, read page by page from the kernel's ring-buffer
/// format as trace-cmd saved it (libtraceevent's `kbuffer` semantics, with every length checked
/// against the page).
///
/// A page is a header (8-byte timestamp, then `commit`: the data size with flags in bits 30-31),
/// then events, each a 4-byte header `type_len:5 | time_delta:27`:
/// 1-28 a record of `type_len * 4` bytes, 0 a record whose length follows, 29 padding, 30 a time
/// extend (delta += next word << 27), 31 an absolute time stamp. When the `commit` flag
/// MISSING_EVENTS is set, events were lost before the page (their count stored after the data
/// with MISSING_STORED); like `trace-cmd report`, the loss is reported with the page's first record.
final class RingBufferStream {
    /// A record: its timestamp after the trace-cmd time conversion, payload and preceding loss
    /// (0 none, -1 some, else the count).
    struct Record {
        var timestamp: UInt64
        var data: UnsafeRawBufferPointer
        var missedEvents: Int64
    }

    let cpu: Int32
    let bufferIndex: Int
    private(set) var current: Record?

    private let layout: TraceDatLayout
    private let pageSize: Int
    private var pages: PageSource
    // The loaded page.
    private var page = UnsafeRawBufferPointer(start: nil, count: 0)
    private var dataSize = 0
    private var next = 0
    private var timestamp: UInt64 = 0
    private var lostEvents: Int64 = 0
    private var pageOffset = 0

    private static let commitMask: UInt64 = (1 << 27) - 1
    private static let missingEvents: UInt64 = 1 << 31
    private static let missingStored: UInt64 = 1 << 30
    private static let timestampMSB: UInt64 = 0xF8 << 56

    init(layout: TraceDatLayout, buffer: TraceDatLayout.Buffer, bufferIndex: Int, cpu: TraceDatLayout.CPUData,
         file: UnsafeRawBufferPointer) throws(TraceDatCorruption) {
        self.cpu = cpu.cpu
        self.bufferIndex = bufferIndex
        self.layout = layout
        pageSize = buffer.pageSize
        pages = try Self.pageSource(layout: layout, buffer: buffer, cpu: cpu, file: file)
        try advance()
    }

    private static func pageSource(layout: TraceDatLayout, buffer: TraceDatLayout.Buffer, cpu: TraceDatLayout.CPUData,
                                   file: UnsafeRawBufferPointer) throws(TraceDatCorruption) -> PageSource {
        // Compressed data: the recorded size leaves out the 4-byte chunk count before the chunks.
        let compressed = buffer.compressed && layout.compression != nil
        let size = compressed ? cpu.size + 4 : cpu.size
        guard cpu.offset <= file.count, size <= file.count - cpu.offset else {
            throw TraceDatCorruption("CPU \(cpu.cpu) data (\(cpu.size) bytes at offset \(cpu.offset)) runs past the end of the file (\(file.count) bytes)")
        }
        let data = UnsafeRawBufferPointer(rebasing: file[cpu.offset..<cpu.offset + size])
        if compressed, let compression = layout.compression {
            return .chunks(ChunkedPages(data: data, fileOffset: cpu.offset, compression: compression, bigEndian: layout.bigEndian,
                                        pageSize: buffer.pageSize))
        }
        return .plain(PlainPages(data: data, fileOffset: cpu.offset))
    }

    /// A CPU's pages as a live recorder publishes them. `current` is nil while no page is
    /// published yet; `advance()` later asks again (`live.ended` tells the end).
    init(layout: TraceDatLayout, live: LivePageCursor) throws(TraceDatCorruption) {
        cpu = Int32(truncatingIfNeeded: live.source.cpu)
        bufferIndex = 0
        self.layout = layout
        pageSize = live.source.pageSize
        pages = .live(live)
        try advance()
    }

    /// The live page cursor, for a stream over a live recorder.
    var live: LivePageCursor? {
        if case .live(let cursor) = pages { return cursor }
        return nil
    }

    /// Moves `current` to the next record (nil at the end, or for a live stream until more pages
    /// are published).
    func advance() throws(TraceDatCorruption) {
        while true {
            if page.baseAddress != nil, let record = try nextRecord() {
                current = record
                return
            }
            guard let (nextPage, offset) = try pages.next(pageSize: pageSize) else {
                current = nil
                return
            }
            try load(nextPage, fileOffset: offset)
        }
    }

    private func read4(_ offset: Int) -> UInt32 {
        let raw = page.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return layout.bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    private func read8(_ offset: Int) -> UInt64 {
        let raw = page.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return layout.bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }

    private func readLong(_ offset: Int) -> UInt64 {
        layout.commitSize == 8 ? read8(offset) : UInt64(read4(offset))
    }

    private func load(_ bytes: UnsafeRawBufferPointer, fileOffset: Int) throws(TraceDatCorruption) {
        guard bytes.count >= layout.pageDataOffset else {
            throw TraceDatCorruption("CPU \(cpu): page at offset \(fileOffset) is shorter than its header")
        }
        page = bytes
        pageOffset = fileOffset
        timestamp = read8(0)
        let commit = readLong(8)
        dataSize = Int(commit & Self.commitMask)
        guard dataSize <= bytes.count - layout.pageDataOffset else {
            throw TraceDatCorruption("CPU \(cpu): page at offset \(fileOffset) says it holds \(dataSize) bytes, more than the page")
        }
        if commit & Self.missingEvents != 0 {
            if commit & Self.missingStored != 0 {
                let at = layout.pageDataOffset + dataSize
                guard at + layout.commitSize <= bytes.count else {
                    throw TraceDatCorruption("CPU \(cpu): page at offset \(fileOffset) has no room for its lost-event count")
                }
                lostEvents = Int64(bitPattern: readLong(at))
                if layout.commitSize == 4 { lostEvents = Int64(Int32(truncatingIfNeeded: lostEvents)) }
            } else {
                lostEvents = -1
            }
        } else {
            lostEvents = 0
        }
        next = 0
    }

    /// The next record of the loaded page, skipping time stamps and padding.
    private func nextRecord() throws(TraceDatCorruption) -> Record? {
        let base = layout.pageDataOffset
        while next < dataSize {
            let entry = next
            guard entry + 4 <= dataSize else { throw corrupt(entry, "event header past the page's data") }
            let header = read4(base + entry)
            let typeLength: UInt32
            var delta: UInt64
            if layout.bigEndian {
                typeLength = header >> 27
                delta = UInt64(header & ((1 << 27) - 1))
            } else {
                typeLength = header & 31
                delta = UInt64(header >> 5)
            }
            let index: Int
            let length: Int
            switch typeLength {
            case 29:
                // Padding: its length follows (past the data for the page's tail: the page ends).
                guard entry + 8 <= page.count - base else { return endPage() }
                length = Int(read4(base + entry + 4))
                index = entry + 4
            case 30, 31:
                guard entry + 8 <= dataSize else { throw corrupt(entry, "time extend past the page's data") }
                let extend = (UInt64(read4(base + entry + 4)) << 27) &+ delta
                delta = typeLength == 31 ? extend | (timestamp & Self.timestampMSB) : extend
                length = 0
                index = entry + 8
            case 0:
                guard entry + 8 <= dataSize else { throw corrupt(entry, "record length past the page's data") }
                let stored = Int(read4(base + entry + 4))
                guard stored >= 4 else { throw corrupt(entry, "record length \(stored)") }
                length = (stored - 4 + 3) & ~3
                index = entry + 8
            default:
                length = Int(typeLength) * 4
                index = entry + 4
            }
            if typeLength == 31 { timestamp = delta } else { timestamp &+= delta }
            next = index + length
            if typeLength >= 29 { continue }
            guard next <= dataSize else { throw corrupt(entry, "record of \(length) bytes past the page's data") }
            let missed = entry == 0 ? lostEvents : 0
            return Record(timestamp: convert(timestamp), data: UnsafeRawBufferPointer(rebasing: page[base + index..<base + next]),
                          missedEvents: missed)
        }
        return endPage()
    }

    private func endPage() -> Record? {
        page = UnsafeRawBufferPointer(start: nil, count: 0)
        return nil
    }

    private func corrupt(_ entry: Int, _ what: String) -> TraceDatCorruption {
        TraceDatCorruption("CPU \(cpu): page at offset \(pageOffset), event at \(entry): \(what)")
    }

    /// trace-cmd's conversion of a ring-buffer timestamp: TSC to nanoseconds, then the file's offset.
    private func convert(_ raw: UInt64) -> UInt64 {
        var value = raw
        if let tsc = layout.tscToNanoseconds {
            value = value >= tsc.offset ? value - tsc.offset : 0
            let product = value.multipliedFullWidth(by: UInt64(tsc.multiplier))
            value = tsc.shift == 0 ? product.low : (product.low >> tsc.shift) | (product.high << (64 - tsc.shift))
        }
        return UInt64(bitPattern: Int64(bitPattern: value) &+ layout.timeOffset)
    }
}

/// Where a CPU's pages come from: the file itself, decompressed chunks, or a live recorder.
private enum PageSource {
    case plain(PlainPages)
    case chunks(ChunkedPages)
    case live(LivePageCursor)

    mutating func next(pageSize: Int) throws(TraceDatCorruption) -> (UnsafeRawBufferPointer, Int)? {
        switch self {
        case .plain(var pages):
            defer { self = .plain(pages) }
            return pages.next(pageSize: pageSize)
        case .chunks(let chunks):
            return try chunks.nextPage()
        case .live(let cursor):
            return try cursor.nextPage()
        }
    }
}

/// Uncompressed CPU data, in place in the mapped file.
private struct PlainPages {
    let data: UnsafeRawBufferPointer
    let fileOffset: Int
    var position = 0
    var behind = ReleaseBehind()

    init(data: UnsafeRawBufferPointer, fileOffset: Int) {
        self.data = data
        self.fileOffset = fileOffset
    }

    mutating func next(pageSize: Int) -> (UnsafeRawBufferPointer, Int)? {
        guard position < data.count else { return nil }
        behind.release(before: position, in: data)
        let end = min(data.count, position + pageSize)
        defer { position = end }
        return (UnsafeRawBufferPointer(rebasing: data[position..<end]), fileOffset + position)
    }
}

/// Gives a mapped file's pages back behind a sequential reader, every `stride` bytes, so a large
/// trace.dat costs bounded memory. The mapping is private and never written: a page touched again
/// (a neighbouring CPU's data sharing it) is read back from the file.
struct ReleaseBehind {
    private var released = 0
    static let stride = 4 << 20
    private static let systemPage = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Releases the pages of `data` wholly before `offset` not released yet.
    mutating func release(before offset: Int, in data: UnsafeRawBufferPointer) {
        guard offset - released >= Self.stride, let base = data.baseAddress else { return }
        let from = (Int(bitPattern: base) + released) & ~(Self.systemPage - 1)
        let to = (Int(bitPattern: base) + offset) & ~(Self.systemPage - 1)
        if to > from, let start = UnsafeMutableRawPointer(bitPattern: from) { _ = madvise(start, to - from, MADV_DONTNEED) }
        released = offset
    }
}

/// v7 compressed CPU data: a chunk count, then per chunk its compressed and uncompressed sizes
/// and the data; each chunk holds whole pages.
private final class ChunkedPages {
    private var cursor: TraceDatCursor
    private let compression: TraceDatCompression
    private let pageSize: Int
    private var remainingChunks: Int
    private var buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var filled = 0
    private var position = 0
    private var chunkOffset = 0

    /// Larger chunks are refused (trace-cmd writes chunks of a few pages).
    static let maximumChunkSize = 64 << 20

    private let data: UnsafeRawBufferPointer
    private var behind = ReleaseBehind()

    init(data: UnsafeRawBufferPointer, fileOffset: Int, compression: TraceDatCompression, bigEndian: Bool, pageSize: Int) {
        self.data = data
        cursor = TraceDatCursor(data, bigEndian: bigEndian, fileOffset: fileOffset)
        self.compression = compression
        self.pageSize = pageSize
        remainingChunks = -1
    }

    deinit { buffer.deallocate() }

    func nextPage() throws(TraceDatCorruption) -> (UnsafeRawBufferPointer, Int)? {
        if remainingChunks < 0 {
            remainingChunks = cursor.remaining == 0 ? 0 : Int(try cursor.u32("the compressed chunk count"))
        }
        while position >= filled {
            guard remainingChunks > 0 else { return nil }
            remainingChunks -= 1
            chunkOffset = cursor.fileOffset + cursor.position
            let compressedSize = Int(try cursor.u32("a chunk's compressed size"))
            let size = Int(try cursor.u32("a chunk's uncompressed size"))
            let data = try cursor.slice(compressedSize, "a compressed chunk")
            guard size <= Self.maximumChunkSize else {
                throw TraceDatCorruption("chunk at offset \(chunkOffset) claims \(size) bytes uncompressed")
            }
            if size > buffer.count {
                buffer.deallocate()
                buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
            }
            try compression.decompress(data, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size]),
                                       what: "chunk at offset \(chunkOffset)")
            filled = size
            position = 0
            behind.release(before: cursor.position, in: data)
        }
        let end = min(filled, position + pageSize)
        defer { position = end }
        return (UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[position..<end]), chunkOffset)
    }
}

extension RingBufferStream {
    /// The stream whose record goes next in `trace-cmd report` order: the earliest (ties: the
    /// first stream); nil when none has a record.
    static func earliest(in streams: [RingBufferStream]) -> Int? {
        var chosen: Int?
        var best: UInt64 = 0
        for (i, stream) in streams.enumerated() {
            guard let record = stream.current else { continue }
            if chosen != nil, best <= record.timestamp { continue }
            chosen = i
            best = record.timestamp
        }
        return chosen
    }

    /// Every page of one CPU's data, decompressed (tests replay a file's pages as a live recorder
    /// would publish them).
    static func pages(layout: TraceDatLayout, buffer: TraceDatLayout.Buffer, cpu: TraceDatLayout.CPUData,
                      file: UnsafeRawBufferPointer) throws(TraceDatCorruption) -> [[UInt8]] {
        var source = try pageSource(layout: layout, buffer: buffer, cpu: cpu, file: file)
        var out: [[UInt8]] = []
        while let (page, _) = try source.next(pageSize: buffer.pageSize) { out.append(Array(page)) }
        return out
    }
}
