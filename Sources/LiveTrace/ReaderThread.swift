#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One POSIX thread running one closure; `join()` waits for it. The corresponding C functions
/// are `pthread_create(3)` and `pthread_join(3)`.
public final class ReaderThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private var thread: pthread_t?

    /// Starts `body` on a new thread.
    /// - Throws: `.system(call: "pthread_create", ...)` when the thread cannot be created.
    public init(name: String, _ body: @escaping () -> Void) throws(LiveTraceError) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .system(call: "pthread_create", path: name, errno: rc)
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
}
