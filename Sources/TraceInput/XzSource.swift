internal import CLzma

/// Decompresses an xz stream (also concatenated streams) read from another source, through liblzma.
/// Owns the `lzma_stream`; `lzma_end` runs in `deinit`.
public final class XzSource: ByteSource {
    public var name: String { upstream.name }
    private let upstream: any ByteSource
    private var stream = clzma_stream_init()
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamDone = false
    private var finished = false

    public init(wrapping upstream: any ByteSource, inputBufferSize: Int = 1 << 20) throws(InputError) {
        self.upstream = upstream
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: max(inputBufferSize, 4096), alignment: 16)
        // No memory limit beyond liblzma's own; LZMA_CONCATENATED reads `cat a.xz b.xz` like xz does.
        let rc = lzma_stream_decoder(&stream, UInt64.max, clzma_concatenated)
        guard rc == LZMA_OK else {
            input.deallocate()
            throw InputError(file: upstream.name, message: "cannot start xz decoder (liblzma error \(rc.rawValue))")
        }
    }

    deinit {
        lzma_end(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        stream.next_out = out.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = buffer.count
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !upstreamDone {
                let n = try upstream.read(into: input)
                if n == 0 { upstreamDone = true } else if let base = input.baseAddress {
                    stream.next_in = UnsafePointer(base.assumingMemoryBound(to: UInt8.self))
                    stream.avail_in = n
                }
            }
            let rc = lzma_code(&stream, upstreamDone ? LZMA_FINISH : LZMA_RUN)
            if rc == LZMA_STREAM_END { finished = true; break }
            if rc == LZMA_BUF_ERROR, upstreamDone {
                throw InputError(file: name, message: "truncated xz stream")
            }
            if rc != LZMA_OK && rc != LZMA_BUF_ERROR {
                throw InputError(file: name, message: "corrupt xz stream (liblzma error \(rc.rawValue))")
            }
        }
        return buffer.count - stream.avail_out
    }
}
