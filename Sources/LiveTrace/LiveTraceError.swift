#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import TraceInput

/// Errors from live tracefs control and the loop-device helpers.
///
/// Each case carries what a person needs to act on it: the path or command and the
/// C `errno` text where there is one.
public enum LiveTraceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operation needs root (tracefs writes, mount, losetup).
    case notRoot(operation: String)
    /// No tracefs is mounted and it could not be mounted.
    case tracefsUnavailable(String)
    /// A system call on a path failed; `errno` is the C error number.
    case system(call: String, path: String, errno: Int32)
    /// An external command exited with a non-zero status.
    case commandFailed(command: String, status: Int32, output: String)
    /// An external tool is not installed.
    case toolMissing(String)
    /// tracefs content could not be understood.
    case unexpectedContent(path: String, content: String)

    /// A reader thread that could not be started.
    public init(_ error: PosixThread.StartError) {
        self = .system(call: "pthread_create", path: error.name, errno: error.errno)
    }

    public var description: String {
        switch self {
        case .notRoot(let operation):
            return "\(operation) needs root (effective uid is \(geteuid()))"
        case .tracefsUnavailable(let why):
            return "tracefs unavailable: \(why)"
        case .system(let call, let path, let errno):
            return "\(call)(\(path)) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .commandFailed(let command, let status, let output):
            let tail = output.split(separator: "\n").suffix(5).joined(separator: "\n")
            return "command failed with status \(status): \(command)\n\(tail)"
        case .toolMissing(let tool):
            return "\(tool) not found in PATH"
        case .unexpectedContent(let path, let content):
            return "unexpected content in \(path): \(content.prefix(200))"
        }
    }
}
