#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
public import TraceDat

/// Copies one CPU's ring buffer, page by page, from `per_cpu/cpuN/trace_pipe_raw` to a file.
///
/// Each `read(2)` of a page size returns one page in the kernel's ring-buffer format (header,
/// events, the missed-events count after the data when events were overwritten), a partial page
/// when the writer is still on it. Pages are gathered in a 64-page batch and appended to `path`,
/// so memory stays bounded whatever the trace size. `run()` reads until the stop descriptor
/// becomes readable and the buffer is then empty.
///
/// While it runs, the pages written so far can be read back (`LiveCPUPages`: the live analysis
/// of `record`); each batch written and each read that found the buffer empty is published with
/// a ticket of the capture's `LiveTickets`.
///
/// `run()` on one thread; `pages` and `failure` are read after that thread was joined; `state()`
/// and `readPage` from any thread.
final class RawCPUReader: LiveCPUPages, @unchecked Sendable {
    let cpu: Int
    let path: String
    private let source: Int32
    private let sink: Int32
    /// The same file, for `readPage` while `sink` appends.
    private let readBack: Int32
    let pageSize: Int
    private let tickets: LiveTickets
    private let published = Mutex(LivePagesState())
    private let stop: Int32
    private let rawPath: String
    private(set) var pages = 0
    private(set) var failure: LiveTraceError?

    static let batchPages = 64
    /// How long a reader sleeps in `poll(2)` when the buffer is empty. The kernel wakes a poller of
    /// `trace_pipe_raw` only once `buffer_percent` of the buffer is full, so this bounds how far
    /// behind the reader falls at low rates.
    static let pollMilliseconds: Int32 = 50

    /// Opens `trace_pipe_raw` non-blocking and creates `path`.
    init(cpu: Int, rawPath: String, path: String, pageSize: Int, stop: Int32, tickets: LiveTickets) throws(LiveTraceError) {
        let source = open(rawPath, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if source < 0 { throw .system(call: "open", path: rawPath, errno: errno) }
        let sink = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if sink < 0 {
            let e = errno
            Glibc.close(source)
            throw .system(call: "open", path: path, errno: e)
        }
        let readBack = open(path, O_RDONLY | O_CLOEXEC)
        if readBack < 0 {
            let e = errno
            Glibc.close(source)
            Glibc.close(sink)
            throw .system(call: "open", path: path, errno: e)
        }
        self.readBack = readBack
        self.tickets = tickets
        self.cpu = cpu
        self.rawPath = rawPath
        self.path = path
        self.source = source
        self.sink = sink
        self.pageSize = pageSize
        self.stop = stop
    }

    deinit {
        Glibc.close(source)
        Glibc.close(sink)
        Glibc.close(readBack)
    }

    func state() -> LivePagesState { published.withLock { $0 } }

    func readPage(_ index: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TraceDatCorruption) {
        var done = 0
        while done < buffer.count {
            let n = pread(readBack, buffer.baseAddress.map { $0 + done }, buffer.count - done, off_t(index * pageSize + done))
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            let why = n == 0 ? "end of file" : String(cString: strerror(errno))
            throw TraceDatCorruption("CPU \(cpu): cannot read page \(index) back from \(path): \(why)")
        }
    }

    /// Makes the pages written so far readable to `readPage`: `drained` is the ticket taken before
    /// the read that found the buffer empty, if this follows one.
    private func publish(drained: UInt64?, finished: Bool = false) {
        let ticket = tickets.next()
        let pages = self.pages
        published.withLock { state in
            state.published = pages
            state.publishTicket = ticket
            if let drained { state.drainedTicket = drained }
            if finished { state.finished = true }
        }
    }

    /// Reads pages until stopped and drained, or until a read or write fails (kept in `failure`).
    func run() {
        let batch = UnsafeMutableRawBufferPointer.allocate(byteCount: pageSize * Self.batchPages, alignment: 4096)
        defer { batch.deallocate() }
        var filled = 0
        var stopping = false
        do throws(LiveTraceError) {
            while true {
                let ticket = tickets.next()
                let n = try readPage(into: UnsafeMutableRawBufferPointer(rebasing: batch[filled..<filled + pageSize]))
                if n > 0 {
                    filled += pageSize
                    pages += 1
                    if filled == batch.count {
                        try flush(batch, &filled)
                        publish(drained: nil)
                    }
                    continue
                }
                try flush(batch, &filled)
                if stopping {
                    publish(drained: ticket, finished: true)
                    return
                }
                publish(drained: ticket)
                stopping = try waitForDataOrStop()
            }
        } catch {
            failure = error
            publish(drained: nil, finished: true)
        }
    }

    /// One page; 0 when the buffer is empty. A short page is padded with zeros.
    private func readPage(into page: UnsafeMutableRawBufferPointer) throws(LiveTraceError) -> Int {
        while true {
            let n = Glibc.read(source, page.baseAddress, page.count)
            if n > 0 {
                if n < page.count, let base = page.baseAddress { (base + n).initializeMemory(as: UInt8.self, repeating: 0, count: page.count - n) }
                return n
            }
            if n == 0 { return 0 }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
            throw .system(call: "read", path: rawPath, errno: errno)
        }
    }

    private func flush(_ batch: UnsafeMutableRawBufferPointer, _ filled: inout Int) throws(LiveTraceError) {
        guard var base = batch.baseAddress.map(UnsafeRawPointer.init) else { return }
        var left = filled
        while left > 0 {
            let n = Glibc.write(sink, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(call: "write", path: path, errno: errno)
            }
            left -= n
            base += n
        }
        filled = 0
    }

    /// Sleeps until the buffer has data, the stop descriptor is readable or the poll interval ends.
    /// - Returns: true once stopping.
    private func waitForDataOrStop() throws(LiveTraceError) -> Bool {
        var fds = [pollfd(fd: source, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
        while true {
            let r = poll(&fds, 2, Self.pollMilliseconds)
            if r >= 0 { return fds[1].revents != 0 }
            if errno == EINTR { continue }
            throw .system(call: "poll", path: rawPath, errno: errno)
        }
    }
}

/// The counter `RawCPUReader`s of one capture order their reads and publications by.
final class LiveTickets: Sendable {
    private let counter = Atomic<UInt64>(0)

    func next() -> UInt64 { counter.add(1, ordering: .sequentiallyConsistent).newValue }
}
