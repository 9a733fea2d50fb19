#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A non-blocking reader of `trace_pipe` (or any pipe-like file) that hands out raw bytes.
///
/// `trace_pipe` consumes what it returns and never reaches end-of-file, so reads take a timeout:
/// a caller polls while its workload runs, and when the child has exited it calls `drain` to
/// collect what is left in the ring buffer.
///
/// ```swift
/// let pipe = try tracefs.openTracePipe()
/// defer { pipe.close() }
/// var buf = [UInt8](repeating: 0, count: 1 << 16)
/// while childIsRunning {
///     let n = try buf.withUnsafeMutableBytes { try pipe.read(into: $0, timeoutMilliseconds: 100) }
///     sink(buf[0..<n])
/// }
/// try pipe.drain { sink($0) }
/// ```
/// Not thread-safe: use one reader from one thread.
public final class TracePipeReader {
    /// The file descriptor (opened `O_RDONLY | O_NONBLOCK | O_CLOEXEC`), -1 after `close()`.
    public private(set) var fileDescriptor: Int32
    public let path: String

    /// Opens `path` non-blocking. The corresponding C function is `open(2)`.
    public init(path: String) throws(LiveTraceError) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 { throw .system(call: "open", path: path, errno: errno) }
        self.fileDescriptor = fd
        self.path = path
    }

    deinit { close() }

    /// Waits up to `timeoutMilliseconds` (-1: forever, 0: do not wait) for data, then reads what
    /// is there into `buffer`.
    /// - Returns: the number of bytes read; 0 when nothing arrived within the timeout.
    /// - Throws: `LiveTraceError.system` on a read or poll error, or after `close()`.
    public func read(into buffer: UnsafeMutableRawBufferPointer,
                     timeoutMilliseconds: Int32 = 0) throws(LiveTraceError) -> Int {
        guard fileDescriptor >= 0 else { throw .system(call: "read", path: path, errno: EBADF) }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fileDescriptor, base, buffer.count)
            if n > 0 { return n }
            if n == 0 { return 0 }
            let e = errno
            if e == EINTR { continue }
            guard e == EAGAIN || e == EWOULDBLOCK else { throw .system(call: "read", path: path, errno: e) }
            if timeoutMilliseconds == 0 { return 0 }
            guard try waitReadable(timeoutMilliseconds: timeoutMilliseconds) else { return 0 }
        }
    }

    /// Reads up to `maxBytes` bytes, waiting up to `timeoutMilliseconds`; empty on timeout.
    public func read(maxBytes: Int = 65536, timeoutMilliseconds: Int32 = 0) throws(LiveTraceError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: maxBytes)
        var n = 0
        var failure: LiveTraceError?
        bytes.withUnsafeMutableBytes { raw in
            do throws(LiveTraceError) { n = try read(into: raw, timeoutMilliseconds: timeoutMilliseconds) } catch { failure = error }
        }
        if let failure { throw failure }
        bytes.removeSubrange(n...)
        return bytes
    }

    /// Reads until no data arrives for `idleMilliseconds`, passing each chunk to `body`.
    /// Call after tracing was stopped (or the workload exited) to collect the rest of the buffer.
    /// - Returns: total bytes passed to `body`.
    @discardableResult
    public func drain(idleMilliseconds: Int32 = 200,
                      chunkSize: Int = 1 << 16,
                      _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var total = 0
        while true {
            let n = try buffer.withUnsafeMutableBytes { raw in
                try read(into: raw, timeoutMilliseconds: idleMilliseconds)
            }
            if n == 0 { return total }
            total += n
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// Waits until the descriptor is readable. The corresponding C function is `poll(2)`.
    /// - Returns: false on timeout.
    public func waitReadable(timeoutMilliseconds: Int32) throws(LiveTraceError) -> Bool {
        var pfd = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&pfd, 1, timeoutMilliseconds)
            if r > 0 { return true }
            if r == 0 { return false }
            if errno == EINTR { continue }
            throw .system(call: "poll", path: path, errno: errno)
        }
    }

    /// Closes the descriptor; further reads throw. Safe to call twice.
    public func close() {
        if fileDescriptor >= 0 {
            _ = Glibc.close(fileDescriptor)
            fileDescriptor = -1
        }
    }
}
