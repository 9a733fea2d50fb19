internal import CZstd

/// Decompresses a zstd stream (also concatenated frames) read from another source, through libzstd.
/// Owns the `ZSTD_DStream`; it is freed in `deinit`.
public final class ZstdSource: ByteSource {
    public var name: String { upstream.name }
    private let upstream: any ByteSource
    private let stream: OpaquePointer
    private let input: UnsafeMutableRawBufferPointer
    private var inBuffer = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    private var upstreamDone = false
    /// The last `ZSTD_decompressStream` result: 0 when a frame just ended.
    private var pending = 1

    public init(wrapping upstream: any ByteSource, inputBufferSize: Int = 1 << 20) throws(InputError) {
        self.upstream = upstream
        guard let created = ZSTD_createDStream() else {
            throw InputError(file: upstream.name, message: "cannot start zstd decoder")
        }
        stream = created
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: max(inputBufferSize, 4096), alignment: 16)
        ZSTD_initDStream(stream)
    }

    deinit {
        ZSTD_freeDStream(stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var outBuffer = ZSTD_outBuffer(dst: out, size: buffer.count, pos: 0)
        while outBuffer.pos < outBuffer.size {
            if inBuffer.pos == inBuffer.size {
                if upstreamDone { break }
                let n = try upstream.read(into: input)
                if n == 0 { upstreamDone = true; break }
                inBuffer = ZSTD_inBuffer(src: UnsafeRawPointer(input.baseAddress), size: n, pos: 0)
            }
            let rc = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
            if ZSTD_isError(rc) != 0 {
                let detail = String(cString: ZSTD_getErrorName(rc))
                throw InputError(file: name, message: "corrupt zstd stream: \(detail)")
            }
            pending = rc
        }
        if outBuffer.pos == 0, upstreamDone, pending != 0 {
            throw InputError(file: name, message: "truncated zstd stream (ended inside a frame)")
        }
        return outBuffer.pos
    }
}
