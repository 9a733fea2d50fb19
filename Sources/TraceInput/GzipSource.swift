internal import CZlib

/// Inflates a gzip stream (RFC 1952, also concatenated members) read from another source.
/// Owns a zlib `z_stream`; `inflateEnd` runs in `deinit`.
public final class GzipSource: ByteSource {
    public var name: String { upstream.name }
    private let upstream: any ByteSource
    private var stream = z_stream()
    private var input: UnsafeMutableRawBufferPointer
    private var inputBase: UnsafeMutablePointer<Bytef>
    private var initialized = false
    private var finished = false
    private var upstreamDone = false

    public init(wrapping upstream: any ByteSource, inputBufferSize: Int = 1 << 20) throws(InputError) {
        self.upstream = upstream
        let size = max(inputBufferSize, 4096)
        let base = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        input = UnsafeMutableRawBufferPointer(start: base, count: size)
        inputBase = base.bindMemory(to: Bytef.self, capacity: size)
        // 15 + 32: zlib or gzip header, detected automatically.
        let rc = czlib_inflate_init2(&stream, 15 + 32)
        if rc != Z_OK {
            throw InputError(file: upstream.name, message: "cannot start gzip decoder (zlib error \(rc))")
        }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(&stream) }
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if finished { return 0 }
        stream.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !upstreamDone {
                let n = try upstream.read(into: input)
                if n == 0 {
                    upstreamDone = true
                } else {
                    stream.next_in = inputBase
                    stream.avail_in = uInt(n)
                }
            }
            // With the input all read, inflate still runs: it may hold output it had no room
            // for (the end of a match copy). The stream is truncated only when inflate can make
            // no progress (Z_BUF_ERROR) without more input (found by Fuzz/ target `gzip`).
            let rc = inflate(&stream, Z_NO_FLUSH)
            if rc == Z_BUF_ERROR && stream.avail_in == 0 && upstreamDone {
                let produced = buffer.count - Int(stream.avail_out)
                if produced > 0 { return produced }
                throw InputError(file: name, message: "truncated gzip stream (ended before the gzip trailer)")
            }
            if rc == Z_STREAM_END {
                // Another gzip member may follow (concatenated .gz files).
                if stream.avail_in == 0 {
                    let n = try upstream.read(into: input)
                    if n == 0 { finished = true; break }
                    stream.next_in = inputBase
                    stream.avail_in = uInt(n)
                }
                if inflateReset(&stream) != Z_OK {
                    throw InputError(file: name, message: "corrupt gzip stream (cannot reset for the next member)")
                }
                continue
            }
            if rc == Z_BUF_ERROR { continue }
            if rc != Z_OK {
                let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw InputError(file: name, message: "corrupt gzip stream: \(detail)")
            }
        }
        return buffer.count - Int(stream.avail_out)
    }
}

/// Opens a path (or `-` for standard input) and transparently decompresses it by its magic bytes:
/// gzip (`1f 8b`), xz (`fd 37 7a 58 5a 00`), zstd (`28 b5 2f fd`). Every file argument goes through here.
public enum InputOpener {
    /// Returns the source and the first bytes of the decoded content (for format sniffing).
    /// With `progress`, the bytes read from the file (compressed ones for gzip) are counted into it.
    public static func open(path: String, progress: ProgressCounter? = nil) throws(InputError) -> PeekableSource {
        let file = try FileDescriptorSource(path: path)
        let raw: any ByteSource = progress.map { CountingSource(file, counter: $0) } ?? file
        let peek = try PeekableSource(raw)
        switch Compression(magic: peek.prefix) {
        case .gzip: return try PeekableSource(try GzipSource(wrapping: peek))
        case .xz: return try PeekableSource(try XzSource(wrapping: peek))
        case .zstd: return try PeekableSource(try ZstdSource(wrapping: peek))
        case nil: return peek
        }
    }

    /// The compressions the opener reads.
    public enum Compression: Sendable {
        case gzip, xz, zstd

        public init?(magic: [UInt8]) {
            if magic.starts(with: [0x1f, 0x8b]) { self = .gzip }
            else if magic.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { self = .xz }
            else if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { self = .zstd }
            else { return nil }
        }
    }
}

/// A source whose first bytes were read ahead and are served again.
public final class PeekableSource: ByteSource {
    public var name: String { upstream.name }
    private let upstream: any ByteSource
    public private(set) var prefix: [UInt8]
    private var served = 0

    public init(_ upstream: any ByteSource, peekSize: Int = 64 * 1024) throws(InputError) {
        self.upstream = upstream
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: peekSize, alignment: 16)
        defer { raw.deallocate() }
        var filled = 0
        while filled < peekSize {
            let n = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
            if n == 0 { break }
            filled += n
        }
        prefix = Array(UnsafeRawBufferPointer(rebasing: raw[..<filled]))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if served < prefix.count {
            let n = min(buffer.count, prefix.count - served)
            guard let destination = buffer.baseAddress else { return 0 }
            prefix.withUnsafeBytes { src in
                if let base = src.baseAddress { destination.copyMemory(from: base + served, byteCount: n) }
            }
            served += n
            if served == prefix.count { prefix = [] ; served = Int.max }
            return n
        }
        return try upstream.read(into: buffer)
    }
}
