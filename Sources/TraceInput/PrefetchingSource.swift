import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Reads another source ahead on a background thread, so decompression (or a slow pipe) overlaps
/// with parsing. Delivers exactly the upstream's bytes in order; errors arrive at the read that
/// reaches them. Memory is `depth × chunkSize`.
///
/// The producer thread holds only the shared `Pipeline`, never the source itself: when the consumer
/// drops the source early, `deinit` runs, cancels the producer and waits for it to leave.
public final class PrefetchingSource: ByteSource, @unchecked Sendable {
    public var name: String { upstreamName }
    private let upstreamName: String

    struct Chunk {
        var buffer: UnsafeMutableRawBufferPointer
        var count: Int
        var error: InputError?
    }

    /// State shared by the producer and the consumer, guarded by `mutex` and the semaphores.
    final class Pipeline: @unchecked Sendable {
        var mutex = pthread_mutex_t()
        var ready: [Chunk] = []
        var spare: [UnsafeMutableRawBufferPointer] = []
        let filled = DispatchSemaphore(value: 0)
        let free: DispatchSemaphore
        var cancelled = false
        let allBuffers: [UnsafeMutableRawBufferPointer]

        init(chunkSize: Int, depth: Int) {
            // An early-dropped source frees it below what was signalled (see `signalled`).
            free = DispatchSemaphore.signalled(max(depth, 1))
            pthread_mutex_init(&mutex, nil)
            allBuffers = (0..<max(depth, 1)).map { _ in
                UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkSize, 4096), alignment: 64)
            }
            spare = allBuffers
        }

        deinit {
            for buffer in allBuffers { buffer.deallocate() }
            pthread_mutex_destroy(&mutex)
        }

        func withLock<T>(_ body: () -> T) -> T {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            return body()
        }

        func produce(_ upstream: any ByteSource) {
            while true {
                free.wait()
                guard let buffer = withLock({ cancelled || spare.isEmpty ? nil : spare.removeLast() }) else { return }
                var count = 0
                var failure: InputError?
                // Fill the chunk (a gzip or pipe read may return little at a time).
                while count < buffer.count {
                    do {
                        let n = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
                        if n == 0 { break }
                        count += n
                    } catch {
                        failure = error
                        break
                    }
                    if count > 0 && count >= buffer.count / 2 && upstream is FileDescriptorSource { break }
                }
                withLock { ready.append(Chunk(buffer: buffer, count: count, error: failure)) }
                filled.signal()
                if count == 0 || failure != nil { return }
            }
        }
    }

    private let pipeline: Pipeline
    private let producer: PosixThread?
    /// The upstream itself when no producer thread could be started.
    private let direct: (any ByteSource)?
    private var current: Chunk?
    private var offset = 0
    private var atEnd = false

    public init(_ upstream: any ByteSource, chunkSize: Int = 4 << 20, depth: Int = 3) {
        upstreamName = upstream.name
        let pipeline = Pipeline(chunkSize: chunkSize, depth: depth)
        self.pipeline = pipeline
        nonisolated(unsafe) let source = upstream
        // A thread of its own, not libdispatch's pool: the producer blocks while the consumer is
        // behind, and `check` runs several cases on the pool at once (see `PosixThread`).
        do {
            producer = try PosixThread(name: "read-ahead \(upstream.name)") { pipeline.produce(source) }
            direct = nil
        } catch {
            // No thread to be had: read the upstream in place, without the overlap.
            producer = nil
            direct = upstream
        }
    }

    deinit {
        pipeline.withLock { pipeline.cancelled = true }
        pipeline.free.signal()
        producer?.join()
    }

    public func read(into destination: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let target = destination.baseAddress, destination.count > 0 else { return 0 }
        if let direct { return try direct.read(into: destination) }
        while true {
            if atEnd { return 0 }
            if current == nil {
                pipeline.filled.wait()
                current = pipeline.withLock { pipeline.ready.removeFirst() }
                offset = 0
            }
            guard let chunk = current else { return 0 }
            if offset < chunk.count {
                let n = min(destination.count, chunk.count - offset)
                if let base = chunk.buffer.baseAddress { target.copyMemory(from: base + offset, byteCount: n) }
                offset += n
                return n
            }
            // Chunk used up: report its end condition, or recycle it.
            if let error = chunk.error { atEnd = true; throw error }
            if chunk.count == 0 { atEnd = true; return 0 }
            pipeline.withLock { pipeline.spare.append(chunk.buffer) }
            current = nil
            pipeline.free.signal()
        }
    }
}
