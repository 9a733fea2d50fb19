#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import TraceInput

/// A `ByteSource` over `trace_pipe` while a command runs: it reads (polling with a timeout)
/// as long as the command runs, and after the command exited keeps reading until two reads in
/// a row time out (the rest of the ring buffer). Then it serves `trailer()` once (for example
/// `CPU:N [LOST M EVENTS]` markers computed from the ring-buffer statistics) and returns 0.
///
/// Every byte it returns is also written to `tee` (the `--output` file), so a later `analyze`
/// of that file sees exactly what the live analysis saw.
///
/// A caught interrupt (`InterruptFlag`) is forwarded to the command once; if it has not ended
/// `killAfterSeconds` later it is killed.
public final class TracePipeSource: ByteSource {
    public let name: String
    private let pipe: TracePipeReader
    public let command: RecordedCommand
    private let tee: Int32?
    private let pollMilliseconds: Int32
    private var idleReadsAfterExit = 0
    private var forwardedSignal: Int32 = 0
    private var forwardedAt: timespec?
    private var trailerBytes: [UInt8]?
    private var trailerOffset = 0
    private var finished = false

    /// Called once, right after the command ended (before the drain): stop tracing here so the
    /// drain ends.
    public var onCommandExit: (() -> Void)?
    /// Called once after the drain; its bytes are served (and teed) before the end.
    public var trailer: (() -> [UInt8])?
    /// Seconds to wait for the command after forwarding an interrupt before `SIGKILL`.
    public var killAfterSeconds: Double = 5
    /// Bytes read from the pipe (without the trailer).
    public private(set) var bytesRead: Int = 0

    public init(pipe: TracePipeReader, command: RecordedCommand, name: String, tee: Int32? = nil,
                pollMilliseconds: Int32 = 100) {
        self.pipe = pipe
        self.command = command
        self.name = name
        self.tee = tee
        self.pollMilliseconds = pollMilliseconds
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if finished { return 0 }
        if let trailerBytes { return serveTrailer(trailerBytes, into: buffer) }
        while true {
            handleInterrupt()
            let n: Int
            do {
                n = try pipe.read(into: buffer, timeoutMilliseconds: pollMilliseconds)
            } catch {
                throw InputError(file: name, message: error.description)
            }
            if n > 0 {
                bytesRead += n
                idleReadsAfterExit = 0
                try write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                return n
            }
            if command.status == nil {
                if command.poll() { onCommandExit?() }
                continue
            }
            idleReadsAfterExit += 1
            if idleReadsAfterExit < 2 { continue }
            let bytes = trailer?() ?? []
            trailerBytes = bytes
            return serveTrailer(bytes, into: buffer)
        }
    }

    private func serveTrailer(_ bytes: [UInt8], into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(buffer.count, bytes.count - trailerOffset)
        if n <= 0 { finished = true; return 0 }
        guard let destination = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { src in
            if let base = src.baseAddress { destination.copyMemory(from: base + trailerOffset, byteCount: n) }
        }
        trailerOffset += n
        try? write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        return n
    }

    private func handleInterrupt() {
        let sig = InterruptFlag.signal
        guard sig != 0, command.status == nil else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        if forwardedSignal == 0 {
            forwardedSignal = sig
            forwardedAt = now
            command.send(sig == SIGHUP ? SIGHUP : sig)
        } else if let at = forwardedAt,
                  Double(now.tv_sec - at.tv_sec) + Double(now.tv_nsec - at.tv_nsec) / 1e9 > killAfterSeconds {
            command.send(SIGKILL)
            forwardedAt = nil
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        guard let tee, var base = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let w = Glibc.write(tee, base, left)
            if w < 0 {
                if errno == EINTR { continue }
                throw InputError(file: name, message: "writing the trace copy failed: \(String(cString: strerror(errno)))")
            }
            left -= w
            base += w
        }
    }
}
