import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Reads another source ahead on a background thread, so decompression (or a slow pipe) overlaps
/// with parsing. Delivers exactly the upstream's bytes in order; errors arrive at the read that
/// reaches them. Memory is `depth × chunkSize`.
public final class PrefetchingSource: ByteSource, @unchecked Sendable {
    public var name: String { upstreamName }
    private let upstreamName: String

    private struct Chunk {
        var buffer: UnsafeMutableRawBufferPointer
        var count: Int
        var error: InputError?
    }

    private var mutex = pthread_mutex_t()
    private var ready: [Chunk] = []
    private var spare: [UnsafeMutableRawBufferPointer] = []
    private let filled = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let finished = DispatchSemaphore(value: 0)
    private var cancelled = false
    private var current: Chunk?
    private var offset = 0
    private var atEnd = false
    private var allBuffers: [UnsafeMutableRawBufferPointer] = []

    public init(_ upstream: any ByteSource, chunkSize: Int = 4 << 20, depth: Int = 3) {
        upstreamName = upstream.name
        free = DispatchSemaphore(value: depth)
        pthread_mutex_init(&mutex, nil)
        for _ in 0..<max(depth, 1) {
            let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkSize, 4096), alignment: 64)
            spare.append(b)
            allBuffers.append(b)
        }
        nonisolated(unsafe) let source = upstream
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            produce(source)
            finished.signal()
        }
    }

    deinit {
        pthread_mutex_lock(&mutex)
        cancelled = true
        pthread_mutex_unlock(&mutex)
        free.signal()
        finished.wait()
        for b in allBuffers { b.deallocate() }
        pthread_mutex_destroy(&mutex)
    }

    private func produce(_ upstream: any ByteSource) {
        while true {
            free.wait()
            pthread_mutex_lock(&mutex)
            if cancelled || spare.isEmpty { pthread_mutex_unlock(&mutex); return }
            let buffer = spare.removeLast()
            pthread_mutex_unlock(&mutex)
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
            pthread_mutex_lock(&mutex)
            ready.append(Chunk(buffer: buffer, count: count, error: failure))
            pthread_mutex_unlock(&mutex)
            filled.signal()
            if count == 0 || failure != nil { return }
        }
    }

    public func read(into destination: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let target = destination.baseAddress, destination.count > 0 else { return 0 }
        while true {
            if atEnd { return 0 }
            if current == nil {
                filled.wait()
                pthread_mutex_lock(&mutex)
                current = ready.removeFirst()
                pthread_mutex_unlock(&mutex)
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
            pthread_mutex_lock(&mutex)
            spare.append(chunk.buffer)
            pthread_mutex_unlock(&mutex)
            current = nil
            free.signal()
        }
    }
}
