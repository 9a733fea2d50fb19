import ArgumentParser

/// `dio-trace-bench`: the benchmarks of dio-trace, outside the shipped binary. Each scenario
/// prints the tool a user would otherwise run (its baseline), measured in the same run on the
/// same input, and the ratio.
@main
struct DIOTraceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dio-trace-bench",
        abstract: "Benchmarks of dio-trace's libraries, each against its baseline tool in the same run.",
        discussion: "Run from the repository: swift run -c release --package-path Benchmarks dio-trace-bench SCENARIO",
        subcommands: [TextBench.self, GzipBench.self, TraceDatBench.self, SymbolizeBench.self, DecodeBench.self, RecordBench.self]
    )
}
