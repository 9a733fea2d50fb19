#if canImport(Glibc)
import Glibc
#endif
import BtrfsAccounting
import FixtureCheck
import TraceEvents
import TraceInput

/// libtracecmd and libtraceevent trust the file they read: some corrupt or hostile trace.dat
/// inputs make them crash (SIGSEGV in `tep_parse_event` reached from `tracecmd_open_head`, wild
/// reads in `kbuffer_load_subbuffer`, heap corruption aborting with "free(): invalid size").
/// A signal cannot be caught and reported safely, so when an input of `analyze` is (or may be,
/// for stdin) a trace.dat, the command re-runs itself in a child process and the parent only
/// waits: the child's exit status and output are passed through unchanged, and a child killed by
/// a signal becomes one line naming the trace.dat it was reading, with exit status 2.
///
/// The child does the whole analysis (nothing is decoded twice); the cost is one process start.
enum TraceDatIsolation {
    /// Set in the child's environment: the file it appends the index of each trace.dat input to,
    /// before handing it to libtracecmd.
    static let progressVariable = "DIO_TRACE_TRACEDAT_PROGRESS"

    static var isChild: Bool { getenv(progressVariable) != nil }

    /// True when some input is stdin (unknown until read) or starts, after gzip, with the
    /// trace.dat magic. Unreadable inputs are left to the normal path to report.
    static func mayReadTraceDat(_ paths: [String], formatOverride: TraceFormat?) -> Bool {
        if formatOverride == .traceDat { return true }
        if formatOverride != nil { return false }
        return paths.contains { path in
            if path == "-" { return true }
            guard let source = try? InputOpener.open(path: path) else { return false }
            return TraceFormat.sniff(Array(source.prefix.prefix(16))) == .traceDat
        }
    }

    /// Runs this executable again with the same arguments and returns its exit status; `names`
    /// are the inputs as messages show them (`<stdin>` for `-`).
    static func runChild(names: [String]) -> Int32 {
        let tmp = temporaryDirectory()
        guard let progress = TemporaryFile(directory: tmp, suffix: ".progress"),
              let errors = TemporaryFile(directory: tmp, suffix: ".err") else {
            printError("cannot create a temporary file in \(tmp): \(String(cString: strerror(errno)))")
            return 2
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, errors.fd, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // No interactive backtracer, and glibc's abort messages to stderr (captured), not the tty.
        var environment: [UnsafeMutablePointer<CChar>?] = [
            strdup("\(progressVariable)=\(progress.path)"), strdup("SWIFT_BACKTRACE=enable=no"), strdup("LIBC_FATAL_STDERR_=1"),
        ]
        var entry = environ
        while let variable = entry.pointee {
            if strncmp(variable, "SWIFT_BACKTRACE=", 16) != 0 && strncmp(variable, "LIBC_FATAL_STDERR_=", 19) != 0 {
                environment.append(strdup(variable))
            }
            entry += 1
        }
        environment.append(nil)
        defer { environment.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/proc/self/exe", &actions, nil, &argv, &environment)
        guard spawned == 0 else {
            printError("cannot start a child process to read trace.dat: \(String(cString: strerror(spawned)))")
            return 2
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                printError("waitpid: \(String(cString: strerror(errno)))")
                return 2
            }
        }
        // WIFEXITED / WTERMSIG are macros Swift does not import.
        if status & 0x7f == 0 {
            errors.copy(to: 2)
            return (status >> 8) & 0xff
        }
        let signal = status & 0x7f
        if [SIGPIPE, SIGINT, SIGTERM, SIGHUP].contains(signal) {
            // Output closed or the user stopped it: end the same way, no message.
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
            return 128 + signal
        }
        let opened = progress.contents().split(separator: 0x0A).last.flatMap { Int(String(decoding: $0, as: UTF8.self)) }
        let what = signal == SIGSEGV ? "SIGSEGV" : signal == SIGABRT ? "SIGABRT" : signal == SIGBUS ? "SIGBUS" : "signal \(signal)"
        if let opened, opened >= 0, opened < names.count {
            printError("\(names[opened]): corrupt or hostile trace.dat: libtracecmd/libtraceevent crashed reading it (\(what)); no report")
        } else {
            printError("\(names.joined(separator: ", ")): the analysis crashed (\(what)); no report")
        }
        return 2
    }

    /// In the child: records that input `index` is about to be handed to libtracecmd.
    static func noteOpening(_ index: Int32) {
        guard let path = getenv(progressVariable) else { return }
        let fd = open(path, O_WRONLY | O_APPEND)
        guard fd >= 0 else { return }
        let line = Array("\(index)\n".utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    private static func temporaryDirectory() -> String {
        if let t = getenv("TMPDIR"), t.pointee != 0 { return String(cString: t) }
        return "/tmp"
    }
}

/// A private file from `mkstemp`, unlinked when released.
private final class TemporaryFile {
    let path: String
    let fd: Int32

    init?(directory: String, suffix: String) {
        var template = Array((directory + "/dio-trace-XXXXXX" + suffix).utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemps($0, Int32(suffix.utf8.count)) } ?? -1
        }
        guard fd >= 0 else { return nil }
        self.fd = fd
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        close(fd)
        unlink(path)
    }

    func contents() -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n <= 0 { return out }
            out += buffer[0..<n]
            offset += off_t(n)
        }
    }

    /// Writes the contents to descriptor `target` (the child's stderr to ours).
    func copy(to target: Int32) {
        let bytes = contents()
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw in raw.baseAddress.map { write(target, $0 + done, raw.count - done) } ?? 0 }
            if n <= 0 { return }
            done += n
        }
    }
}
