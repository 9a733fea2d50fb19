import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

@main
struct DIOTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dio-trace",
        abstract: "Replay btrfs space accounting from kernel traces and decode kernel reports.",
        discussion: "Exit status: 0 clean, 1 findings/reports, 2 usage or input error.",
        version: DIOTraceVersion.current,
        subcommands: [Analyze.self, Explain.self, Record.self, Decode.self, Check.self]
    )

    /// Like `ParsableCommand.main()`, but usage errors exit with 2 (argument-parser uses 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == 64 {
                printError(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}
