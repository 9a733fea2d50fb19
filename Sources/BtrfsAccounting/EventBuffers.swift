#if canImport(Glibc)
import Glibc
#endif
import TraceEvents

/// The event arrays of blocks already applied, emptied and handed back for the next blocks a
/// worker decodes: a block's array grows to hold its events (about 11 k of 168 bytes for 2 MB of
/// a dense 6.18 trace, more for denser stretches), and a new one per block was allocated, its
/// pages faulted in, grown once more on dense blocks and freed again (8 regrowths of 2 MB per
/// 14 MB of the generic/130 capture). At most `capacity` arrays are kept; the blocks in flight
/// bound how many exist anyway. Shared by the ledger thread and the workers, under a mutex.
final class EventBuffers: @unchecked Sendable {
    static let capacity = 8
    private var spare: [[TraceEvent]] = []
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    /// An empty array, with the capacity of one handed back when there is one.
    func take() -> [TraceEvent] {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return spare.popLast() ?? []
    }

    /// Empties `events` (keeping its storage) and keeps it for `take`; `events` is left empty.
    func give(_ events: inout [TraceEvent]) {
        events.removeAll(keepingCapacity: true)
        let kept = events
        events = []
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if spare.count < Self.capacity { spare.append(kept) }
    }
}
