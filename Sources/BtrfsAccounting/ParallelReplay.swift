import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import TraceEvents
import TraceInput

/// Reads a mapped text trace in blocks decoded on all cores, and replays them into the ledger in
/// input order while the next blocks are decoded. Results are identical to a sequential read:
/// line numbers, statistics and problems are shifted and merged block by block, and the
/// timestamp-order check is carried across block boundaries.
public enum ParallelReplay {
    /// Bytes of text per decoded block: blocks in flight (one per core plus two ahead, and the
    /// one being applied) hold their decoded events, so this bounds memory.
    public static let defaultBlockSize = 2 << 20

    final class Block: @unchecked Sendable {
        var events: [TraceEvent] = []
        var statistics = TraceStatistics()
        var first: (value: UInt64, kind: TimestampKind, line: Int)?
        var last: (value: UInt64, kind: TimestampKind) = (0, .none)
        var error: (any Error)?
        /// The bytes of the buffer the block holds.
        var range: Range<Int> = 0..<0
    }

    /// Where block `k` of `buffer` starts: just after the first newline at or after byte
    /// `k * blockSize - 1` (0 for the first block, the end when there is none). Computed by the
    /// worker that decodes the block, so only the pages it reads are touched: a pass over every
    /// boundary up front would fault in (with fault-around, 64 KB at each) pages of the whole
    /// file long before they are read. Blocks may be empty when one line spans more than a block.
    static func boundary(_ buffer: UnsafeRawBufferPointer, _ k: Int, blockSize: Int) -> Int {
        if k == 0 { return 0 }
        let from = k * blockSize - 1
        guard from < buffer.count, let base = buffer.baseAddress else { return buffer.count }
        guard let nl = memchr(base + from, 0x0A, buffer.count - from) else { return buffer.count }
        return base.distance(to: UnsafeRawPointer(nl)) + 1
    }

    /// The most the kernel maps around one faulting page (`fault_around_bytes`, 64 KB by default).
    static let faultAroundBytes = 64 << 10

    static func blockCount(_ buffer: UnsafeRawBufferPointer, blockSize: Int) -> Int {
        (buffer.count + blockSize - 1) / blockSize
    }

    static func decode(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, fileIndex: Int32, name: String, format: TraceFormat,
                       buffers: EventBuffers? = nil) -> Block {
        let block = Block()
        block.range = range
        if let buffers { block.events = buffers.take() }
        // About 190 bytes per line on dense 6.x traces; growth covers denser ones.
        block.events.reserveCapacity(range.count / 180 + 16)
        return decode(into: block, fileIndex: fileIndex, name: name) { reader, sink in
            try reader.read(mapped: UnsafeRawBufferPointer(rebasing: buffer[range]), format: format, sink: sink)
        }
    }

    /// Runs `read` with a reader of its own, collecting its events, statistics, first and last
    /// timestamps (and the error it throws) into `block`.
    static func decode(into block: Block, fileIndex: Int32, name: String,
                       _ read: (TraceReader, (TraceEvent) -> Void) throws -> Void) -> Block {
        let reader = TraceReader(fileIndex: fileIndex, fileName: name)
        do {
            try read(reader) { block.events.append($0) }
        } catch {
            block.error = error
        }
        block.statistics = reader.statistics
        block.first = reader.firstTimestamp
        block.last = (reader.lastTimestamp, reader.lastTimestampKind)
        return block
    }

    /// The ledger side of a block replay: applies decoded blocks in input order, shifting their
    /// line numbers and merging their statistics, with the timestamp-order check carried across
    /// block boundaries.
    struct BlockMerge {
        let name: String
        var statistics = TraceStatistics()
        var lineOffset = 0
        var last: (value: UInt64, kind: TimestampKind) = (0, .none)
        /// Where the arrays of applied blocks go back to, for the workers' next blocks.
        let buffers: EventBuffers?

        init(name: String, format: TraceFormat, buffers: EventBuffers? = nil) {
            self.name = name
            self.buffers = buffers
            statistics.formats = [format.rawValue]
        }

        /// Applies `block` (rethrowing its error first) and empties its events.
        mutating func apply(_ block: Block, to ledger: inout Ledger) throws {
            if let error = block.error { throw error }
            if let first = block.first, first.kind == last.kind, first.kind != .none, first.value < last.value {
                statistics.noteBackwards(file: name, line: first.line + lineOffset)
            }
            if block.last.kind != .none { last = block.last }
            // In place through the buffer: each event is borrowed, not copied (and retained).
            var events = block.events
            block.events = []
            let offset = lineOffset
            events.withUnsafeMutableBufferPointer { buffer in
                for j in buffer.indices {
                    buffer[j].origin.line += offset
                    ledger.apply(buffer[j])
                }
            }
            if let buffers { buffers.give(&events) } else { events = [] }
            statistics.mergeBlock(block.statistics, lineOffset: lineOffset)
            lineOffset += Int(block.statistics.lines)
        }
    }

    /// Releases the mapped pages of `range` of `buffer` (the mapping starts page-aligned): a
    /// block's text is not read again once it is decoded (events own their strings), and the
    /// pages stay in the page cache; a later touch would fault them back in.
    static func release(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard let base = buffer.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound / page) * page
        let end = (range.upperBound / page) * page
        guard end > start, Int(bitPattern: base) % page == 0 else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    /// Hands-off state between the ledger thread and the decoding workers. Workers claim blocks
    /// in input order (`claim`), whichever is free next. Each slot is written by the worker that
    /// claimed it before it signals `ready[i]` and read by the ledger after waiting on it;
    /// `mayStart[i]` is signalled once block `i - window` is applied (or at once for the first
    /// `window` blocks), so at most `window` blocks are decoded ahead of the ledger and no wait can
    /// form a cycle: the ledger waits only for the next block, which was claimed before any later
    /// one, and that block's start never depends on a block after it.
    final class Pipeline: @unchecked Sendable {
        let blocks: UnsafeMutableBufferPointer<Block?>
        let ready: [DispatchSemaphore]
        let mayStart: [DispatchSemaphore]
        /// Set by the ledger thread before it releases every waiting worker; read after a wait.
        let cancellation = Cancellation()
        private var next = 0
        private var mutex = pthread_mutex_t()

        /// The next block no worker has taken, or nil when all are taken.
        func claim() -> Int? {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            guard next < blocks.count else { return nil }
            next += 1
            return next - 1
        }

        init(count: Int, window: Int) {
            blocks = .allocate(capacity: count)
            blocks.initialize(repeating: nil)
            ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
            mayStart = (0..<count).map { DispatchSemaphore.signalled($0 < window ? 1 : 0) }
            pthread_mutex_init(&mutex, nil)
        }

        deinit {
            blocks.deinitialize()
            blocks.deallocate()
            pthread_mutex_destroy(&mutex)
        }
    }

    static func run(_ buffer: UnsafeRawBufferPointer, fileIndex: Int32, name: String, format: TraceFormat,
                    blockSize: Int = defaultBlockSize, progress: ProgressCounter? = nil, ledger: inout Ledger, statistics: inout TraceStatistics) throws {
        let blockSize = max(blockSize, 1)
        let count = blockCount(buffer, blockSize: blockSize)
        // One decoding worker per core this process may use, each taking the next block when it is
        // free; this thread replays the decoded blocks in input order meanwhile (the OS shares the
        // cores among them, so the ledger never waits for a wave to end). Blocks decoded ahead are
        // bounded by `window`: one per worker and two more, so that a worker done early finds a
        // block it may start (with blocks dealt round-robin and one spare, a worker that finished
        // waited for the other's block to be applied, leaving a core idle: 1.6-1.7 CPUs busy of
        // 2). The workers are threads of their own: they block on `mayStart`, and blocked work on
        // libdispatch's pool stalls the pool (see `PosixThread`).
        let workers = max(1, min(PosixThread.availableCores, count))
        let window = workers + 2
        let pipeline = Pipeline(count: count, window: window)
        let buffers = EventBuffers()
        nonisolated(unsafe) let shared = buffer
        var threads: [PosixThread] = []
        func stopWorkers(after applied: Int) {
            // On an error (or a throw from the ledger) release the workers still waiting, then
            // wait for them: no thread outlives the mapped buffer.
            if applied < count {
                pipeline.cancellation.cancel()
                for i in applied..<count { pipeline.mayStart[i].signal() }
            }
            for thread in threads { thread.join() }
        }
        for worker in 0..<workers {
            do {
                threads.append(try PosixThread(name: "decoding \(name) \(worker)") {
                    while let i = pipeline.claim() {
                        pipeline.mayStart[i].wait()
                        if pipeline.cancellation.isCancelled { return }
                        let range = boundary(shared, i, blockSize: blockSize)..<boundary(shared, i + 1, blockSize: blockSize)
                        pipeline.blocks[i] = decode(shared, range, fileIndex: fileIndex, name: name, format: format, buffers: buffers)
                        release(shared, range)
                        pipeline.ready[i].signal()
                    }
                })
            } catch {
                stopWorkers(after: 0)
                throw error
            }
        }
        var merge = BlockMerge(name: name, format: format, buffers: buffers)
        var applied = 0
        var releasedUpTo = 0
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        defer { stopWorkers(after: applied) }
        while applied < count {
            let i = applied
            pipeline.ready[i].wait()
            guard let block = pipeline.blocks[i] else { break }
            pipeline.blocks[i] = nil
            try merge.apply(block, to: &ledger)
            // Everything before this block's end is read: release it again, since the kernel's
            // fault-around maps pages next to each one touched, some of them in blocks already
            // released (memory would grow with the file otherwise). That includes the byte before
            // this block, which its worker read to find where the block starts, possibly after
            // the block before was released: with large page-cache folios that one read maps the
            // whole 2 MB folio again (measured: 80 MB of them mapped at once on a 518 MB trace).
            let touchedBefore = max(0, block.range.lowerBound - 1 - Self.faultAroundBytes)
            release(shared, min(releasedUpTo, touchedBefore)..<block.range.upperBound)
            releasedUpTo = max(releasedUpTo, block.range.upperBound & ~(pageSize - 1))
            progress?.add(bytes: block.range.count, events: Int(block.statistics.events))
            applied += 1
            if i + window < count { pipeline.mayStart[i + window].signal() }
        }
        merge.statistics.bytes = UInt64(buffer.count)
        statistics.merge(merge.statistics)
    }
}

/// A flag the ledger thread sets once to stop the threads feeding it, read by them after each
/// wait. Under a mutex: a read that came before the write (an earlier wait's) has no other order
/// with it, and a plain Bool there is a data race.
final class Cancellation: @unchecked Sendable {
    private var cancelled = false
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    var isCancelled: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return cancelled
    }

    func cancel() {
        pthread_mutex_lock(&mutex)
        cancelled = true
        pthread_mutex_unlock(&mutex)
    }
}
