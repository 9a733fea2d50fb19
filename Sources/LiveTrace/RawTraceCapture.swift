#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import TraceDat
import TraceInput

/// Copies every CPU's ring buffer (`per_cpu/cpuN/trace_pipe_raw`) to one file per CPU in
/// `directory`, one reader thread per CPU, from `start` until `stop`: the binary pages a
/// trace.dat is made of, read continuously so the ring buffer only has to absorb the time
/// between two reads.
///
/// ```swift
/// let capture = try RawTraceCapture(tracefs: tracefs, directory: dir)   // readers running
/// try tracefs.setTracingOn(true)
/// runTheWorkload()
/// try tracefs.setTracingOn(false)
/// let cpus = try capture.stop()                                         // drained, joined
/// ```
public final class RawTraceCapture {
    /// One CPU's pages after `stop()`.
    public struct CPUPages: Sendable, Equatable {
        public var cpu: Int
        /// The file of whole pages (`pageSize` bytes each).
        public var path: String
        public var pages: Int
    }

    public let pageSize: Int
    private let readers: [RawCPUReader]
    private var threads: [PosixThread] = []
    private var stopPipe: (read: Int32, write: Int32)

    /// Opens every CPU's `trace_pipe_raw` and starts its reader.
    /// - Throws: `LiveTraceError` when a file cannot be opened or a thread not started (readers
    ///   already started are stopped first).
    public init(tracefs: Tracefs, directory: String) throws(LiveTraceError) {
        pageSize = try tracefs.ringBufferPageSize()
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .system(call: "pipe", path: directory, errno: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        stopPipe = (fds[0], fds[1])
        var readers: [RawCPUReader] = []
        let tickets = LiveTickets()
        do throws(LiveTraceError) {
            for cpu in try tracefs.ringBufferCPUs() {
                readers.append(try RawCPUReader(cpu: cpu, rawPath: tracefs.path("per_cpu/cpu\(cpu)/trace_pipe_raw"),
                                                path: "\(directory)/cpu\(cpu).raw", pageSize: pageSize, stop: stopPipe.read, tickets: tickets))
            }
        } catch {
            Glibc.close(stopPipe.read)
            Glibc.close(stopPipe.write)
            throw error
        }
        self.readers = readers
        do throws(LiveTraceError) {
            for reader in readers {
                do { threads.append(try PosixThread(name: reader.path) { reader.run() }) } catch { throw LiveTraceError(error) }
            }
        } catch {
            _ = try? stop()
            throw error
        }
    }

    /// Every CPU's pages as they are written, for an analysis while the capture runs; each
    /// finishes once `stop()` has drained it.
    public var livePages: [any LiveCPUPages] { readers }

    /// The CPUs whose buffers are read, in order.
    public var cpus: [Int] { readers.map(\.cpu) }

    deinit {
        _ = try? stop()
        if stopPipe.read >= 0 { Glibc.close(stopPipe.read) }
    }

    /// Tells every reader to drain what is left and waits for them. Stop tracing first, or the
    /// drain can go on as long as events keep coming. Safe to call twice.
    /// - Returns: each CPU's pages, in CPU order.
    /// - Throws: the first reader's read or write failure.
    public func stop() throws(LiveTraceError) -> [CPUPages] {
        if stopPipe.write >= 0 {
            var byte: UInt8 = 1
            _ = Glibc.write(stopPipe.write, &byte, 1)
            Glibc.close(stopPipe.write)
            stopPipe.write = -1
        }
        for thread in threads { thread.join() }
        threads = []
        if let failure = readers.lazy.compactMap(\.failure).first { throw failure }
        return readers.map { CPUPages(cpu: $0.cpu, path: $0.path, pages: $0.pages) }
    }
}
