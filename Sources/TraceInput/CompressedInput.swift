/// The compressed bytes an inflater reads: a buffer refilled from the upstream source.
/// Owns the buffer; freed in `deinit`.
final class CompressedInput {
    let upstream: any ByteSource
    let buffer: UnsafeMutableRawBufferPointer
    /// The upstream source returned 0 (end of input).
    private(set) var upstreamDone = false

    init(_ upstream: any ByteSource, bufferSize: Int) {
        self.upstream = upstream
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, 4096), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Reads the next bytes into the buffer; 0 at end of input (and `upstreamDone` is then set).
    func refill() throws(InputError) -> Int {
        let n = try upstream.read(into: buffer)
        if n == 0 { upstreamDone = true }
        return n
    }
}
