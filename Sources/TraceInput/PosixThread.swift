#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One POSIX thread running one closure; `join()` waits for it. The corresponding C functions
/// are `pthread_create(3)` and `pthread_join(3)`.
///
/// Work that blocks (a worker waiting for its turn, a reader waiting for the kernel) runs on one
/// of these, not on libdispatch's global queues: their pool is sized by the cores, and a queue
/// whose threads all block gets another thread only when the pool's monitor looks again, about
/// once a second (measured: a one-second stall of every text replay pinned to one core).
public final class PosixThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// `pthread_create` failed for the thread named `name` (`LiveTraceError` words it).
    public struct StartError: Error {
        public let name: String
        public let errno: Int32
    }

    private var thread: pthread_t?

    /// Starts `body` on a new thread.
    /// - Throws: `StartError` with `pthread_create`'s error number when the thread cannot be created.
    public init(name: String, _ body: @escaping () -> Void) throws(StartError) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<Body>.fromOpaque(context).release()
            throw StartError(name: name, errno: rc)
        }
        thread = handle
    }

    /// Waits until the closure returned. Safe to call twice.
    public func join() {
        guard let thread else { return }
        pthread_join(thread, nil)
        self.thread = nil
    }

    deinit { join() }

    /// The cores this process may run on (its affinity mask, as `taskset` or a cgroup's cpuset
    /// sets it), at least 1: `_SC_NPROCESSORS_ONLN` counts the machine's, not the ones left to us.
    public static let availableCores: Int = {
        let online = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        // sched_getaffinity(2) is a GNU extension the Glibc module does not declare.
        typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
        guard let process = dlopen(nil, RTLD_NOW) else { return online }
        defer { dlclose(process) }
        guard let symbol = dlsym(process, "sched_getaffinity") else { return online }
        let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
        // A mask for 8192 CPUs (the kernel's largest NR_CPUS); the call fails if the kernel's is larger.
        var mask = [UInt64](repeating: 0, count: 128)
        let ok = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress!) == 0 }
        guard ok else { return online }
        return max(1, mask.reduce(0) { $0 + $1.nonzeroBitCount })
    }()
}
