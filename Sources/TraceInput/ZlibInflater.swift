internal import CZlib

/// Inflates gzip members with zlib. Owns the `z_stream`; `inflateEnd` runs in `deinit`.
final class ZlibInflater: GzipInflater {
    private let input: CompressedInput
    private var stream = z_stream()
    private var initialized = false
    private var finished = false

    init(_ input: CompressedInput) throws(InputError) {
        self.input = input
        // 15 + 16: gzip members only (as ISA-L reads them; a zlib-wrapped stream is corrupt).
        let rc = czlib_inflate_init2(&stream, 15 + 16)
        if rc != Z_OK {
            throw InputError(file: input.upstream.name, message: "cannot start gzip decoder (zlib error \(rc))")
        }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(&stream) }
    }

    private var name: String { input.upstream.name }

    /// Points the stream at the next bytes of input; false at the end of input.
    private func refill() throws(InputError) -> Bool {
        let n = try input.refill()
        if n == 0 { return false }
        stream.next_in = input.base
        stream.avail_in = uInt(n)
        return true
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if finished { return 0 }
        stream.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !input.upstreamDone { _ = try refill() }
            // With the input all read, inflate still runs: it may hold output it had no room
            // for (the end of a match copy). The stream is truncated only when inflate can make
            // no progress (Z_BUF_ERROR) without more input (found by Fuzz/ target `gzip`).
            let rc = inflate(&stream, Z_NO_FLUSH)
            if rc == Z_BUF_ERROR && stream.avail_in == 0 && input.upstreamDone {
                let produced = buffer.count - Int(stream.avail_out)
                if produced > 0 { return produced }
                throw InputError(file: name, message: truncatedGzipMessage)
            }
            if rc == Z_STREAM_END {
                // Another gzip member may follow (concatenated .gz files).
                if stream.avail_in == 0, !(try refill()) { finished = true; break }
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
