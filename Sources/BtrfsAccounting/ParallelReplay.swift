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
enum ParallelReplay {
    static let defaultBlockSize = 8 << 20

    final class Block: @unchecked Sendable {
        var events: [TraceEvent] = []
        var statistics = TraceStatistics()
        var first: (value: UInt64, kind: TimestampKind, line: Int)?
        var last: (value: UInt64, kind: TimestampKind) = (0, .none)
        var error: (any Error)?
    }

    /// Splits `buffer` after newlines into blocks of about `blockSize` bytes.
    static func blocks(_ buffer: UnsafeRawBufferPointer, blockSize: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < buffer.count {
            var end = min(start + max(blockSize, 1), buffer.count)
            while end < buffer.count && buffer[end - 1] != 0x0A { end += 1 }
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    static func decode(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, fileIndex: Int32, name: String, format: TraceFormat) -> Block {
        let block = Block()
        block.events.reserveCapacity(range.count / 400)
        let reader = TraceReader(fileIndex: fileIndex, fileName: name)
        do {
            try reader.read(mapped: UnsafeRawBufferPointer(rebasing: buffer[range]), format: format) { block.events.append($0) }
        } catch {
            block.error = error
        }
        block.statistics = reader.statistics
        block.first = reader.firstTimestamp
        block.last = (reader.lastTimestamp, reader.lastTimestampKind)
        return block
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

    /// Hands-off state between the ledger thread and the decoding workers. Each slot is written
    /// by one worker before it signals `ready[i]` and read by the ledger after waiting on it;
    /// `mayStart[i]` is signalled once block `i - window` is applied (or at once for the first
    /// `window` blocks), so at most `window` blocks are decoded ahead of the ledger and no wait can
    /// form a cycle: the ledger waits only for the next block, and that block's start never
    /// depends on a block after it.
    final class Pipeline: @unchecked Sendable {
        let blocks: UnsafeMutableBufferPointer<Block?>
        let ready: [DispatchSemaphore]
        let mayStart: [DispatchSemaphore]
        /// Set by the ledger thread before it releases every waiting worker; read after a wait.
        var cancelled = false

        init(count: Int, window: Int) {
            blocks = .allocate(capacity: count)
            blocks.initialize(repeating: nil)
            ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
            // Created at 0 and signalled: libdispatch traps when a semaphore is freed below the
            // value it was created with.
            mayStart = (0..<count).map { _ in DispatchSemaphore(value: 0) }
            for semaphore in mayStart.prefix(window) { semaphore.signal() }
        }

        deinit {
            blocks.deinitialize()
            blocks.deallocate()
        }
    }

    static func run(_ buffer: UnsafeRawBufferPointer, fileIndex: Int32, name: String, format: TraceFormat,
                    blockSize: Int = defaultBlockSize, progress: ProgressCounter? = nil, ledger: inout Ledger, statistics: inout TraceStatistics) throws {
        let ranges = blocks(buffer, blockSize: blockSize)
        // One decoding worker per online core, block i on worker i % workers; this thread replays
        // the decoded blocks in input order meanwhile (the OS shares the cores among them, so the
        // ledger never waits for a wave to end). Blocks decoded ahead are bounded by `window`.
        let workers = max(1, min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), ranges.count))
        let window = workers + 1
        let pipeline = Pipeline(count: ranges.count, window: window)
        nonisolated(unsafe) let shared = buffer
        let group = DispatchGroup()
        for worker in 0..<workers {
            DispatchQueue.global().async(group: group) {
                var i = worker
                while i < ranges.count {
                    pipeline.mayStart[i].wait()
                    if pipeline.cancelled { return }
                    pipeline.blocks[i] = decode(shared, ranges[i], fileIndex: fileIndex, name: name, format: format)
                    release(shared, ranges[i])
                    pipeline.ready[i].signal()
                    i += workers
                }
            }
        }
        var fileStatistics = TraceStatistics()
        fileStatistics.formats = [format.rawValue]
        var lineOffset = 0
        var last: (value: UInt64, kind: TimestampKind) = (0, .none)
        var applied = 0
        defer {
            // On an error (or a throw from the ledger) release the workers still waiting, then
            // wait for them: no thread outlives the mapped buffer.
            if applied < ranges.count {
                pipeline.cancelled = true
                for i in applied..<ranges.count { pipeline.mayStart[i].signal() }
            }
            group.wait()
        }
        while applied < ranges.count {
            let i = applied
            pipeline.ready[i].wait()
            guard let block = pipeline.blocks[i] else { break }
            pipeline.blocks[i] = nil
            if let error = block.error { throw error }
            if let first = block.first, first.kind == last.kind, first.kind != .none, first.value < last.value {
                fileStatistics.noteBackwards(file: name, line: first.line + lineOffset)
            }
            if block.last.kind != .none { last = block.last }
            // In place: no copy (and retain/release) of each event.
            for j in block.events.indices {
                block.events[j].origin.line += lineOffset
                ledger.apply(block.events[j])
            }
            block.events = []
            fileStatistics.mergeBlock(block.statistics, lineOffset: lineOffset)
            lineOffset += Int(block.statistics.lines)
            progress?.add(bytes: ranges[i].count, events: Int(block.statistics.events))
            applied += 1
            if i + window < ranges.count { pipeline.mayStart[i + window].signal() }
        }
        fileStatistics.bytes = UInt64(buffer.count)
        statistics.merge(fileStatistics)
    }
}
