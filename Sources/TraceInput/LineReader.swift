#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of input, without its `\n` (and without a trailing `\r`).
///
/// `bytes` points into the reader's buffer and is valid only inside the callback.
public struct Line {
    public let bytes: UnsafeRawBufferPointer
    /// 1-based line number in the input.
    public let number: Int
    /// The line was longer than the reader's limit; `bytes` holds only its first part.
    public let isOverlong: Bool
    /// The input ended without a final newline after this line.
    public let isUnterminated: Bool
    /// Full length of the line in bytes (equals `bytes.count` unless overlong).
    public let length: Int

    public init(bytes: UnsafeRawBufferPointer, number: Int, isOverlong: Bool, isUnterminated: Bool, length: Int) {
        self.bytes = bytes
        self.number = number
        self.isOverlong = isOverlong
        self.isUnterminated = isUnterminated
        self.length = length
    }
}

/// Frames a byte source into lines with `memchr`, in bounded memory.
///
/// The result does not depend on how the source splits its bytes into reads.
/// - Complexity: O(n) in the input size; memory is `chunkSize + maxLineLength`.
public final class LineReader {
    private let source: any ByteSource
    private let chunkSize: Int
    public let maxLineLength: Int
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    public private(set) var bytesRead: Int = 0

    public init(source: any ByteSource, chunkSize: Int = 4 << 20, maxLineLength: Int = 1 << 20) {
        self.source = source
        self.chunkSize = max(chunkSize, 16)
        self.maxLineLength = max(maxLineLength, 16)
        capacity = self.chunkSize + self.maxLineLength + 1
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Calls `body` for every line in order.
    public func forEachLine(_ body: (Line) throws -> Void) throws {
        var start = 0
        var end = 0
        var lineNumber = 0
        // When a line exceeded the limit, the rest of it is skipped up to the next newline.
        var skipping = false
        var skippedLength = 0
        while true {
            // Deliver every complete line in [start, end).
            while start < end {
                let remaining = end - start
                guard let nl = memchr(buffer + start, 0x0A, remaining) else { break }
                let nlOffset = buffer.distance(to: nl)
                if skipping {
                    skipping = false
                    skippedLength += nlOffset - start
                    start = nlOffset + 1
                    _ = skippedLength
                    continue
                }
                lineNumber += 1
                var lineEnd = nlOffset
                if lineEnd > start && buffer.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D { lineEnd -= 1 }
                let length = lineEnd - start
                if length > maxLineLength {
                    try body(Line(bytes: UnsafeRawBufferPointer(start: buffer + start, count: maxLineLength),
                                  number: lineNumber, isOverlong: true, isUnterminated: false, length: length))
                } else {
                    try body(Line(bytes: UnsafeRawBufferPointer(start: buffer + start, count: length),
                                  number: lineNumber, isOverlong: false, isUnterminated: false, length: length))
                }
                start = nlOffset + 1
            }
            // No newline in [start, end): the pending partial line.
            if !skipping && end - start > maxLineLength {
                lineNumber += 1
                try body(Line(bytes: UnsafeRawBufferPointer(start: buffer + start, count: maxLineLength),
                              number: lineNumber, isOverlong: true, isUnterminated: false, length: end - start))
                skipping = true
                skippedLength = end - start
                start = end
            }
            if skipping {
                start = 0
                end = 0
            } else if start > 0 {
                let pending = end - start
                if pending > 0 { memmove(buffer, buffer + start, pending) }
                start = 0
                end = pending
            }
            let room = capacity - 1 - end
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: min(room, chunkSize)))
            if n == 0 {
                if !skipping && end > start {
                    lineNumber += 1
                    var lineEnd = end
                    if buffer.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D { lineEnd -= 1 }
                    try body(Line(bytes: UnsafeRawBufferPointer(start: buffer + start, count: lineEnd - start),
                                  number: lineNumber, isOverlong: false, isUnterminated: true, length: lineEnd - start))
                }
                return
            }
            bytesRead += n
            end += n
        }
    }

    /// Frames lines of an in-memory buffer (a mapped file) in place, with the same rules as
    /// `forEachLine()`: overlong lines are cut to `maxLineLength`, a last line without newline is
    /// flagged, a trailing CR is dropped.
    public static func forEachLine(in buffer: UnsafeRawBufferPointer, maxLineLength: Int = 1 << 20,
                                   _ body: (Line) throws -> Void) rethrows {
        guard let base = buffer.baseAddress else { return }
        let end = buffer.count
        var start = 0
        var lineNumber = 0
        // Pages already framed are released as the scan moves on, so resident memory stays bounded
        // (lines are only valid inside `body`).
        let window = 32 << 20
        var released = 0
        let mutableBase = UnsafeMutableRawPointer(mutating: base)
        while start < end {
            if start - released >= 2 * window {
                let page = Int(sysconf(Int32(_SC_PAGESIZE)))
                let upTo = ((start - window) / page) * page
                if upTo > released, Int(bitPattern: mutableBase) % page == 0 {
                    _ = madvise(mutableBase + released, upTo - released, MADV_DONTNEED)
                    released = upTo
                }
            }
            lineNumber += 1
            let nl = memchr(base + start, 0x0A, end - start)
            let stop = nl.map { base.distance(to: UnsafeRawPointer($0)) } ?? end
            var lineEnd = stop
            if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let length = lineEnd - start
            let shown = min(length, maxLineLength)
            try body(Line(bytes: UnsafeRawBufferPointer(start: base + start, count: shown), number: lineNumber,
                          isOverlong: length > maxLineLength, isUnterminated: nl == nil, length: length))
            start = stop + 1
        }
    }
}
