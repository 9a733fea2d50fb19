internal import CIsal

/// Inflates gzip members with ISA-L (igzip). Owns the `cisal_inflater`; destroyed in `deinit`.
/// Gives the same bytes and the same kinds of error as `ZlibInflater` (the tests run both).
final class IsalInflater: GzipInflater {
    private let input: CompressedInput
    private let handle: OpaquePointer
    private var finished = false
    /// The first four bytes of the current member (magic, method, flags), checked as zlib checks
    /// them: ISA-L validates the magic only once it has the whole header (a short non-gzip tail
    /// would read as "truncated") and accepts reserved flag bits that RFC 1952 says to reject.
    private var magic: [UInt8] = []
    private var magicChecked = false
    private var filled = 0

    /// Nil when ISA-L is not available.
    init?(_ input: CompressedInput) {
        guard let handle = cisal_inflater_create() else { return nil }
        self.input = input
        self.handle = handle
    }

    deinit { cisal_inflater_destroy(handle) }

    private var name: String { input.upstream.name }

    /// Points the decoder at the next bytes of input; false at the end of input.
    private func refill() throws(InputError) -> Bool {
        let n = try input.refill()
        guard n > 0 else { return false }
        filled = n
        cisal_inflater_set_input(handle, input.base, UInt32(n))
        try checkMagic(from: 0)
        return true
    }

    /// Collects the member's first four bytes from the buffer at `offset` and checks them.
    private func checkMagic(from offset: Int) throws(InputError) {
        var index = offset
        while !magicChecked, index < filled {
            magic.append(input.buffer[index])
            index += 1
            if magic.count == 2, magic != [0x1F, 0x8B] {
                throw InputError(file: name, message: "corrupt gzip stream: incorrect header check")
            }
            if magic.count == 4 {
                magicChecked = true
                if magic[2] != 8 { throw InputError(file: name, message: "corrupt gzip stream: unknown compression method") }
                if magic[3] & 0xE0 != 0 { throw InputError(file: name, message: "corrupt gzip stream: unknown header flags set") }
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count > 0 else { return 0 }
        if finished { return 0 }
        let capacity = min(buffer.count, Int(UInt32.max))
        var produced = 0
        while produced < capacity {
            if cisal_inflater_member_finished(handle) != 0 {
                // Another gzip member may follow (concatenated .gz files); the bytes after the
                // trailer are still the decoder's input.
                magic = []
                magicChecked = false
                if cisal_inflater_avail_in(handle) == 0 {
                    guard try refill() else { finished = true; break }
                } else {
                    try checkMagic(from: filled - Int(cisal_inflater_avail_in(handle)))
                }
                cisal_inflater_reset(handle)
            }
            if cisal_inflater_avail_in(handle) == 0 && !input.upstreamDone { _ = try refill() }
            let before = cisal_inflater_avail_in(handle)
            var written: UInt32 = 0
            let rc = cisal_inflater_inflate(handle, out + produced, UInt32(capacity - produced), &written)
            produced += Int(written)
            if rc < 0 {
                throw InputError(file: name, message: "corrupt gzip stream: \(Self.detail(rc))")
            }
            if written > 0 || cisal_inflater_member_finished(handle) != 0 { continue }
            let after = cisal_inflater_avail_in(handle)
            // Without output, more input, or the member's end, the stream ended too soon (as for
            // zlib, output still held is delivered first: the call only stops when none is left).
            if after == 0 && input.upstreamDone {
                if produced > 0 { return produced }
                throw InputError(file: name, message: truncatedGzipMessage)
            }
            if after > 0 && after == before {
                throw InputError(file: name, message: "corrupt gzip stream: decoder made no progress")
            }
        }
        return produced
    }

    /// ISA-L's error codes in zlib's words where zlib has the same error.
    private static func detail(_ rc: Int32) -> String {
        switch rc {
        case -1: "invalid block"
        case -2: "invalid code"
        case -3: "invalid distance too far back"
        case -4: "incorrect header check"
        case -5: "unknown compression method"
        case -6: "incorrect data check"
        default: "ISA-L error \(rc)"
        }
    }
}
