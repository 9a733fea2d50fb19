#if canImport(Glibc)
import Glibc
#endif

/// How far a long run has got: bytes of input consumed (as stored: a gzip file counts its
/// compressed bytes), events read, and items (cases) finished. Updated by the readers once per
/// block or chunk (megabytes, never per line) and read by whoever shows progress, on any thread.
public final class ProgressCounter: @unchecked Sendable {
    /// A consistent reading of the counters.
    public struct Snapshot: Sendable, Equatable {
        /// Input bytes consumed, never more than `totalBytes` when that is known.
        public var bytes: Int
        /// Total input bytes, 0 when unknown.
        public var totalBytes: Int
        public var events: Int
        public var items: Int
        /// Total items, 0 when the run does not count items.
        public var totalItems: Int
    }

    private var mutex = pthread_mutex_t()
    private var bytes = 0
    private var settledBytes = 0
    private var events = 0
    private var items = 0
    private var totalBytes: Int
    private var totalItems: Int

    public init(totalBytes: Int = 0, totalItems: Int = 0) {
        self.totalBytes = totalBytes
        self.totalItems = totalItems
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    /// Counts `bytes` more of input read and `events` more events.
    public func add(bytes: Int = 0, events: Int = 0) {
        locked {
            self.bytes += bytes
            self.events += events
        }
    }

    /// Marks one input of `size` bytes as read: what was counted for it (a read-ahead, a prefix
    /// read twice) is replaced by its size, so the total stays exact across inputs.
    public func finishInput(size: Int) {
        locked {
            settledBytes += size
            bytes = settledBytes
        }
    }

    /// Counts one finished item (a case) of `size` input bytes with `events` events.
    public func finishItem(size: Int, events: Int) {
        locked {
            items += 1
            settledBytes += size
            bytes = settledBytes
            self.events += events
        }
    }

    public func setTotals(bytes: Int, items: Int = 0) {
        locked {
            totalBytes = bytes
            totalItems = items
        }
    }

    /// The size of the file at `path` as stored, 0 when it cannot be read (opening it says why).
    public static func storedSize(of path: String) -> Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : 0
    }

    public var snapshot: Snapshot {
        locked {
            Snapshot(bytes: totalBytes > 0 ? min(bytes, totalBytes) : bytes, totalBytes: totalBytes,
                     events: events, items: items, totalItems: totalItems)
        }
    }
}

/// Passes another source's bytes through and counts them into a `ProgressCounter`.
public final class CountingSource: ByteSource {
    public var name: String { upstream.name }
    private let upstream: any ByteSource
    private let counter: ProgressCounter

    public init(_ upstream: any ByteSource, counter: ProgressCounter) {
        self.upstream = upstream
        self.counter = counter
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let n = try upstream.read(into: buffer)
        if n > 0 { counter.add(bytes: n) }
        return n
    }
}
