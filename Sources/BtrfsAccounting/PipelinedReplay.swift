import Dispatch
import TraceEvents
import TraceInput

/// Decodes one input on a thread of its own while this thread replays the events already decoded
/// into the ledger, in input order: for a trace.dat, whose reader hands out every event (merging
/// the CPUs' pages by time), so `ParallelReplay`'s text blocks do not apply. The two halves are
/// of a size (dense 6.18 trace.dat: decoding 1.8 G instructions, the ledger 2.6 G), so the input
/// takes nearer the longer of them than their sum.
///
/// Events cross in batches of `batchSize` through `depth` slots: at most `depth + 2` batches
/// exist at once (the slots, the one being filled, the one being replayed), a few MB whatever the
/// input's size. The results are those of replaying inline: the same events in the same order,
/// and an error the reader throws is rethrown once the events before it are replayed.
public enum PipelinedReplay {
    public static let batchSize = 4096
    static let depth = 4

    /// Hands-off state between the reading thread and this one. Slot `i % depth` is written by
    /// the reader after it waits on `free` and read here after waiting on `filled`; a nil batch
    /// marks the end, after `error` is set.
    final class Queue: @unchecked Sendable {
        let slots: UnsafeMutableBufferPointer<[TraceEvent]?>
        let free = DispatchSemaphore.signalled(PipelinedReplay.depth)
        let filled = DispatchSemaphore(value: 0)
        var error: (any Error)?
        private var tail = 0
        private var head = 0

        init() {
            slots = .allocate(capacity: PipelinedReplay.depth)
            slots.initialize(repeating: nil)
        }

        deinit {
            slots.deinitialize()
            slots.deallocate()
        }

        /// Reader side: waits for a free slot and fills it (nil: the end).
        func push(_ batch: [TraceEvent]?) {
            free.wait()
            slots[tail] = batch
            tail = (tail + 1) % PipelinedReplay.depth
            filled.signal()
        }

        /// Replaying side: the next batch, nil at the end.
        func pop() -> [TraceEvent]? {
            filled.wait()
            let batch = slots[head]
            slots[head] = nil
            head = (head + 1) % PipelinedReplay.depth
            free.signal()
            return batch
        }
    }

    /// Runs `read` (which calls its sink once per event, in order) on another thread, and `apply`
    /// on this one for every event it reads, in its order. With `threaded` false, or when no thread
    /// can be started, `read` runs here, each event applied as it is read.
    /// - Throws: what `read` throws, after every event it read before is applied.
    public static func run(threaded: Bool = PosixThread.availableCores > 1,
                           read: @escaping (_ sink: (TraceEvent) -> Void) throws -> Void,
                           apply: (TraceEvent) -> Void) throws {
        guard threaded else { return try read { apply($0) } }
        let queue = Queue()
        nonisolated(unsafe) let reader = read
        let thread: PosixThread
        do {
            thread = try PosixThread(name: "reading for the ledger") {
                var batch: [TraceEvent] = []
                batch.reserveCapacity(batchSize)
                do {
                    try reader { event in
                        batch.append(event)
                        if batch.count == batchSize {
                            queue.push(batch)
                            batch = []
                            batch.reserveCapacity(batchSize)
                        }
                    }
                } catch {
                    queue.error = error
                }
                if !batch.isEmpty { queue.push(batch) }
                queue.push(nil)
            }
        } catch {
            return try read { apply($0) }
        }
        // Every batch is taken, to the end marker, so the reader never waits for a slot forever;
        // `apply` cannot throw, so nothing stops this loop early.
        while var batch = queue.pop() {
            batch.withUnsafeMutableBufferPointer { events in
                for j in events.indices { apply(events[j]) }
            }
            batch = []
        }
        thread.join()
        if let error = queue.error { throw error }
    }
}
