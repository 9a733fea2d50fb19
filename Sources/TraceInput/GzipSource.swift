/// Inflates a gzip stream (RFC 1952, also concatenated members) read from another source, with
/// ISA-L where libisal.so.2 is present and zlib otherwise (`GzipBackend.preferred`).
public final class GzipSource: ByteSource {
    public var name: String { input.upstream.name }
    /// The library inflating this stream.
    public let backend: GzipBackend
    private let input: CompressedInput
    private let inflater: any GzipInflater

    /// With `backend: .isal` and ISA-L unavailable, zlib inflates (`backend` then says so).
    public init(wrapping upstream: any ByteSource, inputBufferSize: Int = 1 << 20,
                backend requested: GzipBackend = .preferred) throws(InputError) {
        input = CompressedInput(upstream, bufferSize: inputBufferSize)
        if requested == .isal, let isal = IsalInflater(input) {
            inflater = isal
            backend = .isal
        } else {
            inflater = try ZlibInflater(input)
            backend = .zlib
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        try inflater.read(into: buffer)
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
