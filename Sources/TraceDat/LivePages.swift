/// What a live recorder has published of one CPU's ring-buffer pages (`record` copying
/// `per_cpu/cpuN/trace_pipe_raw` while the command runs).
///
/// Tickets order the recorder's reads across CPUs: one counter shared by every CPU's reader,
/// taken *before* a read that finds the buffer empty (`drainedTicket`) and *after* pages were
/// made readable (`publishTicket`). A record on a page published at ticket T was committed
/// before T; a CPU drained at ticket D > T had committed nothing unread when its empty read
/// began, so its later records were committed after the record at T and, events being
/// time-stamped when reserved and committed right after (preemption off between the two),
/// carry later time stamps. That lets `TraceDatReader.readLive` merge the CPUs in the order a
/// finished trace.dat gives without waiting for the end; a record that still arrives out of
/// order (a vCPU descheduled between reserve and commit) is detected, see `LiveMerge`.
public struct LivePagesState: Sendable, Equatable {
    /// Pages readable with `LiveCPUPages.readPage`, from 0.
    public var published: Int
    /// A ticket taken after the last of them became readable.
    public var publishTicket: UInt64
    /// The ticket taken before the last read that found the buffer empty (0: none yet); the pages
    /// read before it are all in `published`.
    public var drainedTicket: UInt64
    /// No page will follow `published`.
    public var finished: Bool

    public init(published: Int = 0, publishTicket: UInt64 = 0, drainedTicket: UInt64 = 0, finished: Bool = false) {
        self.published = published
        self.publishTicket = publishTicket
        self.drainedTicket = drainedTicket
        self.finished = finished
    }
}

/// One CPU's pages as a live recorder publishes them (thread-safe: the recorder writes while
/// the analysis reads).
public protocol LiveCPUPages: AnyObject, Sendable {
    var cpu: Int { get }
    var pageSize: Int { get }
    func state() -> LivePagesState
    /// Copies page `index` (below `state().published`) into `buffer` (`pageSize` bytes).
    func readPage(_ index: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TraceDatCorruption)
}

/// The page source of a `RingBufferStream` over a `LiveCPUPages`: the next published page, or
/// none yet (the stream then has no current record until a later `advance()`).
final class LivePageCursor {
    let source: any LiveCPUPages
    /// The recorder's state when last asked.
    private(set) var state = LivePagesState()
    /// Pages handed out so far.
    private(set) var consumed = 0
    /// `state.publishTicket` when the loaded page was handed out: the page was readable then.
    private(set) var pageTicket: UInt64 = 0
    private let buffer: UnsafeMutableRawBufferPointer

    init(_ source: any LiveCPUPages) {
        self.source = source
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: source.pageSize, alignment: 4096)
    }

    deinit { buffer.deallocate() }

    /// Every page published is consumed and the recorder says none follows.
    var ended: Bool { state.finished && consumed >= state.published }

    func nextPage() throws(TraceDatCorruption) -> (UnsafeRawBufferPointer, Int)? {
        if consumed >= state.published { state = source.state() }
        guard consumed < state.published else { return nil }
        try source.readPage(consumed, into: buffer)
        let offset = consumed * buffer.count
        consumed += 1
        pageTicket = state.publishTicket
        return (UnsafeRawBufferPointer(buffer), offset)
    }
}
