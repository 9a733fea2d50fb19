/// The compressed bytes an inflater reads: a buffer refilled from the upstream source.
/// Owns the buffer; freed in `deinit`.
final class CompressedInput {
    let upstream: any ByteSource
    let buffer: UnsafeMutableRawBufferPointer
    /// The buffer's first byte (the allocation is never empty).
    let base: UnsafeMutablePointer<UInt8>
    /// The upstream source returned 0 (end of input).
    private(set) var upstreamDone = false

    init(_ upstream: any ByteSource, bufferSize: Int) {
        self.upstream = upstream
        let size = max(bufferSize, 4096)
        let start = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        buffer = UnsafeMutableRawBufferPointer(start: start, count: size)
        base = start.bindMemory(to: UInt8.self, capacity: size)
    }

    deinit { buffer.deallocate() }

    /// Reads the next bytes into the buffer; 0 at end of input (and `upstreamDone` is then set).
    func refill() throws(InputError) -> Int {
        let n = try upstream.read(into: buffer)
        if n == 0 { upstreamDone = true }
        return n
    }
}
