/// A bounds-checked reader over bytes of a trace.dat in the file's byte order.
///
/// Every read checks its bounds and throws `TraceDatCorruption` naming what was read and where, so a
/// size or offset taken from a hostile file can never read outside the bytes it was given.
struct TraceDatCursor {
    let bytes: UnsafeRawBufferPointer
    let bigEndian: Bool
    /// Offset of `bytes` in the file, for messages.
    let fileOffset: Int
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, bigEndian: Bool, fileOffset: Int = 0, position: Int = 0) {
        self.bytes = bytes
        self.bigEndian = bigEndian
        self.fileOffset = fileOffset
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    private func need(_ count: Int, _ what: @autoclosure () -> String) throws(TraceDatCorruption) {
        guard count >= 0, position >= 0, count <= bytes.count - position else {
            throw TraceDatCorruption("\(what()) at offset \(fileOffset + position) runs past the end of the file")
        }
    }

    mutating func u8(_ what: @autoclosure () -> String) throws(TraceDatCorruption) -> UInt8 {
        try need(1, what())
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16(_ what: @autoclosure () -> String) throws(TraceDatCorruption) -> UInt16 {
        try need(2, what())
        defer { position += 2 }
        let raw = bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self)
        return bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
    }

    mutating func u32(_ what: @autoclosure () -> String) throws(TraceDatCorruption) -> UInt32 {
        try need(4, what())
        defer { position += 4 }
        let raw = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    mutating func u64(_ what: @autoclosure () -> String) throws(TraceDatCorruption) -> UInt64 {
        try need(8, what())
        defer { position += 8 }
        let raw = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        return bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }

    /// A size or offset read as 8 bytes that must fit an `Int`.
    mutating func size64(_ what: @autoclosure () -> String) throws(TraceDatCorruption) -> Int {
        let at = fileOffset + position
        let value = try u64(what())
        guard let size = Int(exactly: value), size >= 0 else { throw TraceDatCorruption("\(what()) at offset \(at) is \(value)") }
        return size
    }

    /// `count` bytes, in place.
    mutating func slice(_ count: Int, _ what: @autoclosure () -> String) throws(TraceDatCorruption) -> UnsafeRawBufferPointer {
        try need(count, what())
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    /// A NUL-terminated string (the NUL is consumed).
    mutating func cString(_ what: @autoclosure () -> String) throws(TraceDatCorruption) -> String {
        var end = position
        while end < bytes.count, bytes[end] != 0 { end += 1 }
        guard end < bytes.count else {
            throw TraceDatCorruption("\(what()) at offset \(fileOffset + position) has no terminating NUL")
        }
        defer { position = end + 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
    }

    /// Consumes `literal` (with its NUL when it has one) or throws.
    mutating func expect(_ literal: [UInt8], _ what: @autoclosure () -> String) throws(TraceDatCorruption) {
        try need(literal.count, what())
        guard bytes[position..<position + literal.count].elementsEqual(literal) else {
            throw TraceDatCorruption("\(what()) missing at offset \(fileOffset + position)")
        }
        position += literal.count
    }

    mutating func seek(_ offset: Int, _ what: @autoclosure () -> String) throws(TraceDatCorruption) {
        guard offset >= 0, offset <= bytes.count else {
            throw TraceDatCorruption("\(what()) offset \(offset) is outside the file (\(bytes.count) bytes)")
        }
        position = offset
    }
}

/// What is wrong with a trace.dat (or with pages a live recorder hands over); the reader turns it
/// into an `InputError` naming the file.
public struct TraceDatCorruption: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
