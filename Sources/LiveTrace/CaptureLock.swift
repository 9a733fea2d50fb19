#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The machine-wide lock `scripts/capture-real-trace.sh` takes (`flock` on
/// `/run/dio-capture.lock`): the top-level ring buffer is global, so captures and tests that
/// change tracefs state take it to run one at a time.
///
/// Do not hold it while running the capture script itself (the script takes it and would wait).
public final class CaptureLock {
    public static let defaultPath = "/run/dio-capture.lock"
    private var fd: Int32

    /// Blocks until the lock is held. The corresponding C function is `flock(2)`.
    public init(path: String = CaptureLock.defaultPath) throws(LiveTraceError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw .system(call: "open", path: path, errno: errno) }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let e = errno
            Glibc.close(fd)
            throw .system(call: "flock", path: path, errno: e)
        }
    }

    /// Releases the lock; also done by `deinit`.
    public func release() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { release() }
}
