import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import TraceEvents
import TraceInput

/// Streamed text (gzip, xz, zstd, pipes) decoded on all cores as a mapped file is: a reader
/// thread reads (and inflates) the source into blocks cut after their last newline, the workers
/// decode whole blocks, and this thread replays them in input order. Each block is framed with
/// the mapped rules (`LineReader.forEachLine(in:)`), so the results are those of the same bytes
/// mapped: line numbers, statistics and problems are shifted and merged block by block.
///
/// Memory is bounded: `window` block buffers of `blockSize + readSize` bytes (3 MB by default) (a line longer than
/// `maxLineLength` is kept only up to that length, the rest skipped as it is read), and the
/// events of the blocks in flight.
extension ParallelReplay {
    /// One block buffer and what the reader put in it.
    final class StreamSlot: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let buffer: UnsafeMutableRawBufferPointer
        /// Bytes of the block (whole lines, the last one possibly unterminated at the end).
        var count = 0
        /// The block is one line longer than `maxLineLength`: its full length (without the `\r`
        /// before its newline) and whether the input ended inside it; `count` bytes are kept.
        var overlong: (length: Int, unterminated: Bool)?
        /// The source failed after this block's bytes: replayed first, then rethrown.
        var readError: (any Error)?
        /// No block: the input ended.
        var isEnd = false
        var decoded: Block?

        init(capacity: Int) {
            base = .allocate(byteCount: capacity, alignment: 64)
            buffer = UnsafeMutableRawBufferPointer(start: base, count: capacity)
        }

        deinit { base.deallocate() }

        func reset() {
            count = 0
            overlong = nil
            readError = nil
            isEnd = false
            decoded = nil
        }
    }

    /// Hand-offs between the reader, the workers and the ledger thread. Block `k` lives in slot
    /// `k % slots.count`: the reader fills it once `free` of that slot is signalled (the ledger
    /// applied block `k - slots.count`), publishes it (`work`), a worker claims blocks in order
    /// and signals `ready` of the slot, and the ledger waits for blocks in order. No wait forms a
    /// cycle: the ledger waits only for the oldest published block, which a worker has claimed
    /// or will claim before any later one.
    final class StreamPipeline: @unchecked Sendable {
        let slots: [StreamSlot]
        let free: [DispatchSemaphore]
        let ready: [DispatchSemaphore]
        let work = DispatchSemaphore(value: 0)
        /// Set by the ledger thread before it wakes every waiting thread; read after each wait.
        let cancellation = Cancellation()
        private var claimed = 0
        /// Bytes the reader read (inflated ones for gzip); read by the ledger thread once it joined.
        var bytesRead = 0
        /// The end block's number, once the reader published it.
        private var end: Int?
        private var mutex = pthread_mutex_t()

        init(window: Int, capacity: Int) {
            slots = (0..<window).map { _ in StreamSlot(capacity: capacity) }
            free = (0..<window).map { _ in DispatchSemaphore.signalled(1) }
            ready = (0..<window).map { _ in DispatchSemaphore(value: 0) }
            pthread_mutex_init(&mutex, nil)
        }

        deinit { pthread_mutex_destroy(&mutex) }

        /// The next published block no worker has taken (after a `work` wait); nil past the end
        /// block (the wake-ups that let the other workers leave).
        func claim() -> Int? {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            if let end, claimed > end { return nil }
            claimed += 1
            return claimed - 1
        }

        /// Publishes block `k` as the end block.
        func publishEnd(_ k: Int) {
            pthread_mutex_lock(&mutex)
            end = k
            pthread_mutex_unlock(&mutex)
            work.signal()
        }
    }

    /// The most the reader asks for per `read` call (ISA-L and zlib inflate straight into the
    /// block buffer).
    static let maximumReadSize = 1 << 20

    /// Cuts the source into blocks of at least `blockSize` bytes ending after a newline (or at
    /// the end of the input), into the slots in order; publishes an end block last.
    static func produceBlocks(_ source: any ByteSource, _ pipeline: StreamPipeline, blockSize: Int, maxLineLength: Int,
                              readSize: Int, capacity: Int) {
        let window = pipeline.slots.count
        // The partial line after a block's last newline, moved to the start of the next block.
        let carryBase = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        defer { carryBase.deallocate() }
        let carry = UnsafeMutableRawBufferPointer(start: carryBase, count: capacity)
        var carried = 0
        var ended = false
        var k = 0
        func read(into buffer: UnsafeMutableRawBufferPointer, _ from: Int) throws -> Int {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[from..<min(buffer.count, from + readSize)]))
            pipeline.bytesRead += n
            return n
        }
        while true {
            pipeline.free[k % window].wait()
            if pipeline.cancellation.isCancelled { return }
            let slot = pipeline.slots[k % window]
            slot.reset()
            if ended {
                slot.isEnd = true
                pipeline.publishEnd(k)
                return
            }
            let base = slot.base
            if carried > 0 { base.copyMemory(from: carryBase, byteCount: carried) }
            var filled = carried
            carried = 0
            do {
                while true {
                    if filled >= blockSize || ended {
                        if ended {
                            slot.count = filled
                            break
                        }
                        if let nl = lastNewline(slot.buffer, filled) {
                            let cut = nl + 1
                            slot.count = cut
                            carried = filled - cut
                            if carried > 0 { carryBase.copyMemory(from: base + cut, byteCount: carried) }
                            break
                        }
                        // One line from the block's start, `\r` or not already longer than the
                        // limit: keep its first `maxLineLength` bytes, skip the rest.
                        if filled > maxLineLength + 1 {
                            slot.count = maxLineLength
                            slot.overlong = try skipRest(of: filled, lastByte: slot.buffer[filled - 1], carry: carry, carryBase: carryBase,
                                                         carried: &carried, ended: &ended, read: read)
                            break
                        }
                    }
                    let n = try read(into: slot.buffer, filled)
                    if n == 0 { ended = true } else { filled += n }
                }
            } catch {
                // The complete lines read before the failure are replayed, then the error is thrown.
                slot.readError = error
                slot.count = lastNewline(slot.buffer, filled).map { $0 + 1 } ?? 0
                slot.overlong = nil
                ended = true
            }
            pipeline.work.signal()
            k += 1
        }
    }

    /// The offset of the last `\n` in `buffer[0..<count]` (a block's last line is short: the
    /// scan back is too).
    static func lastNewline(_ buffer: UnsafeMutableRawBufferPointer, _ count: Int) -> Int? {
        var i = count - 1
        while i >= 0 {
            if buffer[i] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    /// Reads past the rest of an overlong line (into `carry`); returns its length as the mapped
    /// framing counts it, and leaves the bytes after its newline in `carry`.
    private static func skipRest(of seen: Int, lastByte: UInt8, carry: UnsafeMutableRawBufferPointer,
                                 carryBase base: UnsafeMutableRawPointer, carried: inout Int,
                                 ended: inout Bool, read: (UnsafeMutableRawBufferPointer, Int) throws -> Int)
        throws -> (length: Int, unterminated: Bool) {
        var length = seen
        var last = lastByte
        while true {
            let n = try read(carry, 0)
            if n == 0 {
                ended = true
                return (last == 0x0D ? length - 1 : length, true)
            }
            if let nl = memchr(base, 0x0A, n) {
                let j = base.distance(to: nl)
                if j > 0 { last = carry[j - 1] }
                length += j
                carried = n - j - 1
                if carried > 0 { memmove(base, base + j + 1, carried) }
                return (last == 0x0D ? length - 1 : length, false)
            }
            length += n
            last = carry[n - 1]
        }
    }

    /// Decodes the text of `source` on all cores and replays it into `ledger` in input order.
    /// `readSize` bounds each read of the source (tests make it small).
    static func run(stream source: any ByteSource, fileIndex: Int32, name: String, format: TraceFormat,
                    blockSize: Int = defaultBlockSize, readSize: Int = maximumReadSize, maxLineLength: Int = 1 << 20,
                    progress: ProgressCounter? = nil, ledger: inout Ledger, statistics: inout TraceStatistics) throws {
        let blockSize = max(blockSize, 1)
        let readSize = min(max(readSize, 1), maximumReadSize)
        let workers = max(1, PosixThread.availableCores)
        let window = workers + 2
        let capacity = max(blockSize, maxLineLength + 2) + readSize
        let pipeline = StreamPipeline(window: window, capacity: capacity)
        let buffers = EventBuffers()
        nonisolated(unsafe) let input = source
        var threads: [PosixThread] = []
        func stopThreads() {
            // On an error, wake the reader and the workers wherever they wait, then wait for them.
            pipeline.cancellation.cancel()
            for semaphore in pipeline.free { semaphore.signal() }
            for _ in 0..<workers { pipeline.work.signal() }
            for thread in threads { thread.join() }
        }
        var finished = false
        defer {
            if finished { for thread in threads { thread.join() } } else { stopThreads() }
        }
        threads.append(try PosixThread(name: "reading \(name)") {
            produceBlocks(input, pipeline, blockSize: blockSize, maxLineLength: maxLineLength, readSize: readSize, capacity: capacity)
        })
        for worker in 0..<workers {
            threads.append(try PosixThread(name: "decoding \(name) \(worker)") {
                while true {
                    pipeline.work.wait()
                    guard !pipeline.cancellation.isCancelled, let k = pipeline.claim() else { return }
                    let slot = pipeline.slots[k % window]
                    if slot.isEnd {
                        pipeline.ready[k % window].signal()
                        return
                    }
                    if let overlong = slot.overlong {
                        slot.decoded = decodeLine(slot, overlong, fileIndex: fileIndex, name: name, format: format)
                    } else {
                        slot.decoded = decode(UnsafeRawBufferPointer(slot.buffer), 0..<slot.count, fileIndex: fileIndex, name: name, format: format,
                                              buffers: buffers)
                    }
                    pipeline.ready[k % window].signal()
                }
            })
        }
        var merge = BlockMerge(name: name, format: format, buffers: buffers)
        var k = 0
        while true {
            pipeline.ready[k % window].wait()
            let slot = pipeline.slots[k % window]
            if slot.isEnd { break }
            guard let block = slot.decoded else { break }
            slot.decoded = nil
            try merge.apply(block, to: &ledger)
            progress?.add(events: Int(block.statistics.events))
            if let error = slot.readError { throw error }
            pipeline.free[k % window].signal()
            k += 1
        }
        // Every thread has left or is leaving: the reader after the end block, each worker after
        // claiming it or a wake-up past it.
        for _ in 1..<max(workers, 1) { pipeline.work.signal() }
        finished = true
        for thread in threads { thread.join() }
        merge.statistics.bytes = UInt64(pipeline.bytesRead)
        statistics.merge(merge.statistics)
    }

    /// A block that is one overlong line, decoded as the mapped framing delivers it.
    static func decodeLine(_ slot: StreamSlot, _ overlong: (length: Int, unterminated: Bool), fileIndex: Int32, name: String,
                           format: TraceFormat) -> Block {
        let line = Line(bytes: UnsafeRawBufferPointer(start: slot.base, count: slot.count), number: 1,
                        isOverlong: true, isUnterminated: overlong.unterminated, length: overlong.length)
        return decode(into: Block(), fileIndex: fileIndex, name: name) { reader, sink in
            try reader.read(line: line, format: format, sink: sink)
        }
    }
}
