#if canImport(Glibc)
import Glibc
#endif
import TraceEvents
import TraceInput

/// libtracecmd and libtraceevent trust the file they read: some corrupt or hostile trace.dat
/// inputs make them crash (SIGSEGV in `tep_parse_event` reached from `tracecmd_open_head`, wild
/// reads in `kbuffer_load_subbuffer`, heap corruption aborting with "free(): invalid size").
/// A signal cannot be caught and reported safely, so when an input of `analyze` is (or may be,
/// for stdin) a trace.dat, the process forks before reading anything: the child does the whole
/// analysis (nothing is decoded twice) and prints the report; the parent only waits, passes the
/// child's stderr and exit status through, and turns a child killed by a signal into one line
/// naming the trace.dat it was reading, with exit status 2. The cost is one `fork` (no exec).
enum TraceDatIsolation {
    /// In the child: the file it appends the index of each trace.dat input to before handing it
    /// to libtracecmd; -1 in the parent or without isolation.
    nonisolated(unsafe) private static var progressDescriptor: Int32 = -1

    /// True when some input is stdin or another pipe (unknown until read, and not to be read
    /// twice) or a regular file that starts, after gzip, with the trace.dat magic. Missing and
    /// unreadable inputs are left to the normal path to report.
    static func mayReadTraceDat(_ paths: [String], formatOverride: TraceFormat?) -> Bool {
        if formatOverride == .traceDat { return true }
        if formatOverride != nil { return false }
        return paths.contains { path in
            if path == "-" { return true }
            var st = stat()
            guard stat(path, &st) == 0 else { return false }
            switch st.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: return false
            default: return true // FIFO, /dev/fd/N of a process substitution, character device
            }
            guard let source = try? InputOpener.open(path: path) else { return false }
            return TraceFormat.sniff(Array(source.prefix.prefix(16))) == .traceDat
        }
    }

    /// Forks. Returns nil in the child, which goes on with the analysis; in the parent, waits
    /// and returns the exit status to end with. `names` are the inputs as messages show them
    /// (`<stdin>` for `-`). Call before any thread is started (only arguments were parsed).
    static func fork(names: [String]) -> Int32? {
        let tmp = temporaryDirectory()
        guard let progress = TemporaryFile(directory: tmp, suffix: ".progress"),
              let errors = TemporaryFile(directory: tmp, suffix: ".err") else {
            printError("cannot create a temporary file in \(tmp): \(String(cString: strerror(errno)))")
            return 2
        }
        fflush(nil)
        let pid = Glibc.fork()
        if pid < 0 {
            printError("cannot fork to read trace.dat: \(String(cString: strerror(errno)))")
            return 2
        }
        if pid == 0 {
            // The crash is reported by the parent: default actions, no backtracer, and glibc's
            // abort messages to the captured stderr instead of the terminal.
            for s in [SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP] { signal(s, SIG_DFL) }
            setenv("LIBC_FATAL_STDERR_", "1", 1)
            dup2(errors.fd, 2)
            progressDescriptor = dup(progress.fd)
            progress.keep()
            errors.keep()
            return nil
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
            // Our own lines only: libtracecmd also writes to stderr directly, whatever its log
            // level (`mmap: ...` / `Can not mmap file, will read instead` on some corrupt files).
            errors.copyLines(startingWith: ["dio-trace: ", "Error: "], to: 2)
            return (status >> 8) & 0xff
        }
        let signal = status & 0x7f
        if [SIGPIPE, SIGINT, SIGTERM, SIGHUP].contains(signal) {
            // Output closed or the user stopped it: end the same way, no message.
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
            return 128 + signal
        }
        let opened = lastOpened(progress)
        if let opened, opened.path.hasPrefix(tmp + "dio-trace-"), opened.path.hasSuffix(".dat") {
            unlink(opened.path) // the child's temporary copy, left behind by the crash
        }
        let what = signal == SIGSEGV ? "SIGSEGV" : signal == SIGABRT ? "SIGABRT" : signal == SIGBUS ? "SIGBUS" : "signal \(signal)"
        if let opened = opened?.index, opened >= 0, opened < names.count {
            printError("\(names[opened]): corrupt or hostile trace.dat: libtracecmd/libtraceevent crashed reading it (\(what)); no report")
        } else {
            printError("\(names.joined(separator: ", ")): the analysis crashed (\(what)); no report")
        }
        return 2
    }

    /// In the child: records that input `index` is about to be handed to libtracecmd as `path`
    /// (its private temporary copy for gzip and stdin, which the parent removes after a crash).
    static func noteOpening(_ index: Int32, path: String) {
        guard progressDescriptor >= 0 else { return }
        let line = Array("\(index) \(path)\n".utf8)
        _ = line.withUnsafeBytes { write(progressDescriptor, $0.baseAddress, $0.count) }
    }

    /// The last `index path` line of the child's progress file.
    private static func lastOpened(_ progress: TemporaryFile) -> (index: Int, path: String)? {
        guard let line = progress.contents().split(separator: 0x0A).last,
              let space = line.firstIndex(of: 0x20), let index = Int(String(decoding: line[..<space], as: UTF8.self)) else { return nil }
        return (index, String(decoding: line[(space + 1)...], as: UTF8.self))
    }

    /// `$TMPDIR` or `/tmp`, ending in `/` (as Analysis names its temporary copies).
    private static func temporaryDirectory() -> String {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        return dir.hasSuffix("/") ? dir : dir + "/"
    }
}

/// A private file from `mkstemp`, unlinked when released.
private final class TemporaryFile {
    let path: String
    let fd: Int32

    init?(directory: String, suffix: String) {
        var template = Array((directory + "dio-trace-XXXXXX" + suffix).utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemps($0, Int32(suffix.utf8.count)) } ?? -1
        }
        guard fd >= 0 else { return nil }
        self.fd = fd
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private var owner = true

    deinit {
        close(fd)
        if owner { unlink(path) }
    }

    /// In a forked child: the parent removes the file.
    func keep() { owner = false }

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

    /// Writes the lines that start with one of `prefixes` to descriptor `target` (the child's
    /// stderr to ours).
    func copyLines(startingWith prefixes: [String], to target: Int32) {
        var bytes: [UInt8] = []
        for line in contents().split(separator: 0x0A) where prefixes.contains(where: { line.starts(with: $0.utf8) }) {
            bytes += line
            bytes.append(0x0A)
        }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw in raw.baseAddress.map { write(target, $0 + done, raw.count - done) } ?? 0 }
            if n <= 0 { return }
            done += n
        }
    }
}
