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

    static func run(_ buffer: UnsafeRawBufferPointer, fileIndex: Int32, name: String, format: TraceFormat,
                    blockSize: Int = defaultBlockSize, progress: ProgressCounter? = nil, ledger: inout Ledger, statistics: inout TraceStatistics) throws {
        let ranges = blocks(buffer, blockSize: blockSize)
        // One block per online core per wave, replayed by one more thread while the next wave decodes.
        let workers = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var fileStatistics = TraceStatistics()
        fileStatistics.formats = [format.rawValue]
        var lineOffset = 0
        var previousLast: (value: UInt64, kind: TimestampKind) = (0, .none)
        var pending: [Block] = []
        var appliedRanges: [Range<Int>] = []
        var next = 0
        nonisolated(unsafe) let shared = buffer
        var localLedger = ledger
        while next < ranges.count || !pending.isEmpty {
            let wave = Array(ranges[next..<min(next + workers, ranges.count)])
            next += wave.count
            // One slot per block, each written by its own iteration: no shared Array is mutated concurrently.
            let slots = UnsafeMutableBufferPointer<Block?>.allocate(capacity: wave.count)
            slots.initialize(repeating: nil)
            defer { slots.deinitialize(); slots.deallocate() }
            nonisolated(unsafe) let decoded = slots
            let toApply = pending
            nonisolated(unsafe) var ledgerBox = localLedger
            nonisolated(unsafe) var stats = fileStatistics
            nonisolated(unsafe) var offset = lineOffset
            nonisolated(unsafe) var last = previousLast
            nonisolated(unsafe) var failure: (any Error)?
            DispatchQueue.concurrentPerform(iterations: wave.count + 1) { i in
                if i == 0 {
                    for block in toApply {
                        if let error = block.error { failure = error; return }
                        if let first = block.first, first.kind == last.kind, first.kind != .none, first.value < last.value {
                            stats.noteBackwards(file: name, line: first.line + offset)
                        }
                        if block.last.kind != .none { last = block.last }
                        for var event in block.events {
                            event.origin.line += offset
                            ledgerBox.apply(event)
                        }
                        stats.mergeBlock(block.statistics, lineOffset: offset)
                        offset += Int(block.statistics.lines)
                    }
                } else {
                    decoded[i - 1] = decode(shared, wave[i - 1], fileIndex: fileIndex, name: name, format: format)
                    release(shared, wave[i - 1])
                }
            }
            if let failure { throw failure }
            if let progress, !toApply.isEmpty {
                progress.add(bytes: appliedRanges.reduce(0) { $0 + $1.count },
                             events: toApply.reduce(0) { $0 + Int($1.statistics.events) })
            }
            localLedger = ledgerBox
            fileStatistics = stats
            lineOffset = offset
            previousLast = last
            pending = decoded.compactMap { $0 }
            appliedRanges = wave
        }
        ledger = localLedger
        fileStatistics.bytes = UInt64(buffer.count)
        statistics.merge(fileStatistics)
    }
}
