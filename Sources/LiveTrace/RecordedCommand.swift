#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A command run under `dio-trace record`, started with `posix_spawnp(3)` and reaped with
/// `waitpid(2)` without blocking, so the caller can keep reading the trace while it runs.
public final class RecordedCommand {
    /// How the command ended.
    public enum Status: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): return "exited with status \(code)"
            case .signaled(let sig): return "killed by signal \(sig) (\(String(cString: strsignal(sig))))"
            }
        }
    }

    public let arguments: [String]
    public let pid: pid_t
    public private(set) var status: Status?

    /// Starts `arguments` (looked up in `PATH` when the first has no `/`).
    /// - Parameter stdoutToStderr: the command's standard output goes to our standard error, so
    ///   standard output carries only the report.
    /// - Parameter standardOutput: a descriptor the command's standard output goes to instead
    ///   (a file for `trace-cmd report`); wins over `stdoutToStderr`.
    /// - Throws: `.system(call: "posix_spawnp", ...)` when the command cannot be started.
    public init(_ arguments: [String], stdoutToStderr: Bool = true, standardOutput: Int32? = nil) throws(LiveTraceError) {
        guard let exe = arguments.first, !exe.isEmpty else {
            throw .system(call: "posix_spawnp", path: "", errno: ENOENT)
        }
        self.arguments = arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardOutput {
            posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
        } else if stdoutToStderr {
            posix_spawn_file_actions_adddup2(&actions, 2, 1)
        }
        // Default dispositions for the signals record handles itself.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, exe, &actions, &attr, argv, environ)
        if rc != 0 { throw .system(call: "posix_spawnp", path: exe, errno: rc) }
        pid = child
    }

    /// Reaps the command if it has ended (`waitpid(WNOHANG)`); true once it has.
    @discardableResult
    public func poll() -> Bool {
        if status != nil { return true }
        var raw: Int32 = 0
        while true {
            let r = waitpid(pid, &raw, WNOHANG)
            if r == 0 { return false }
            if r < 0 {
                if errno == EINTR { continue }
                status = .exited(-1)   // ECHILD: reaped elsewhere; nothing left to wait for
                return true
            }
            break
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        if raw & 0x7f == 0 {
            status = .exited((raw >> 8) & 0xff)
        } else {
            status = .signaled(raw & 0x7f)
        }
        return true
    }

    /// Sends `signal` to the command if it is still running.
    public func send(_ signal: Int32) {
        if status == nil { _ = kill(pid, signal) }
    }

    /// Waits for the command (blocking) and returns its status.
    public func wait() -> Status {
        while !poll() { usleep(20_000) }
        return status ?? .exited(-1)
    }
}

/// SIGINT/SIGTERM (and SIGHUP) caught into a flag, so a recording can stop its command, drain
/// the trace and restore tracefs instead of dying with tracing state changed.
public enum InterruptFlag {
    nonisolated(unsafe) private static var caught: sig_atomic_t = 0

    /// The signal caught, or 0.
    public static var signal: Int32 { Int32(caught) }

    /// Installs the handlers (no `SA_RESTART`: `poll` returns `EINTR`).
    public static func install() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { received in InterruptFlag.caught = sig_atomic_t(received) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(sig, &action, nil)
        }
    }

    /// Puts the default handlers back.
    public static func uninstall() {
        for sig in [SIGINT, SIGTERM, SIGHUP] { Glibc.signal(sig, SIG_DFL) }
    }
}
