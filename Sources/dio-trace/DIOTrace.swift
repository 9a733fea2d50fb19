import ArgumentParser

@main
struct DIOTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dio-trace",
        abstract: "Replay btrfs space accounting from kernel traces and decode kernel reports.",
        subcommands: [BenchSymbolize.self]
    )
}
