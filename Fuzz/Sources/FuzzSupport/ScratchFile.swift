#if canImport(Glibc)
import Glibc
#endif

/// One file per process and target that each iteration overwrites, for entry points that read a
/// path (mapped input, libtracecmd, libelf). Kept in /dev/shm when it exists, so runs do not
/// write to disk.
public final class ScratchFile: @unchecked Sendable {
    public let path: String

    public init(suffix: String) {
        let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp")
        path = "\(directory)/dio-trace-fuzz-\(getpid())\(suffix)"
    }

    /// Replaces the file's content with `bytes`.
    public func write(_ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fuzzFailure("cannot create \(path)") }
        defer { close(fd) }
        var written = 0
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n <= 0 { fuzzFailure("cannot write \(path)") }
                written += n
            }
        }
    }

    deinit { unlink(path) }
}
