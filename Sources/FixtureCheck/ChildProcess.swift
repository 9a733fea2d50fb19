import Foundation

/// Runs a command with stdout and stderr sent to files and waits for it (posix_spawn + waitpid:
/// safe to call from many threads at once).
struct ChildProcess {
    enum Termination: Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    struct Output {
        var termination: Termination
        var stdout: Data
        var stderr: Data
    }

    static func run(_ arguments: [String]) throws -> Output {
        let base = NSTemporaryDirectory() + "dio-trace-check-\(getpid())-\(UUID().uuidString)"
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        // The parent reports a crash in one line; no interactive backtracer in the child.
        var environment: [UnsafeMutablePointer<CChar>?] = [strdup("SWIFT_BACKTRACE=enable=no")]
        var entry = environ
        while let variable = entry.pointee {
            if strncmp(variable, "SWIFT_BACKTRACE=", 16) != 0 { environment.append(strdup(variable)) }
            entry += 1
        }
        environment.append(nil)
        defer { environment.forEach { free($0) } }
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, &environment)
        guard spawned == 0 else {
            throw CaseError("\(arguments[0]): cannot start: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw CaseError("waitpid: \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED / WTERMSIG are macros Swift does not import.
        let termination: Termination = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        return Output(termination: termination, stdout: FileManager.default.contents(atPath: outPath) ?? Data(),
                      stderr: FileManager.default.contents(atPath: errPath) ?? Data())
    }
}
