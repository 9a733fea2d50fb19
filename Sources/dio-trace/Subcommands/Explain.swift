import ArgumentParser
import BtrfsAccounting
import TraceEvents
import TraceInput

enum StoryFormat: String, ExpressibleByArgument, CaseIterable {
    case text, markdown
}

/// `dio-trace explain`: each finding told as a two-column (one per task) story.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tell each finding's story: one column per task, its events in words, the running balance, the trace line.",
        discussion: """
        Exit status: 0 when the stories were printed (also when there is no finding), 2 usage or input error.
        """)

    @Argument(help: "Trace files (- for standard input).")
    var files: [String]

    @Option(name: .customLong("finding"), help: "Finding to tell: its number in the report (from 1) or a rule (DIO002). Repeatable.")
    var findings: [String] = []

    @Option(name: .long, help: "Output format: text (100 columns) or markdown.")
    var format: StoryFormat = .text

    @Option(name: .customLong("format-in"), help: "Input format instead of detection: ftrace, trace-cmd, perf, trace.dat.")
    var formatIn: TraceFormat?

    func run() throws {
        let report: AnalysisReport
        let stories: [FindingStory]
        do {
            report = try Analysis.run(paths: files, options: AnalysisOptions(formatOverride: formatIn), traceDat: TraceDatSupport.opener)
            stories = try StorySelection(findings).apply(FindingStory.make(report))
        } catch let error as InputError {
            printError(error.description)
            throw ExitCode(2)
        } catch let error as SelectionError {
            printError(error.description)
            throw ExitCode(2)
        }
        if stories.isEmpty {
            print("no findings in \(report.inputs.joined(separator: ", "))")
            return
        }
        switch format {
        case .text: print(StoryText.render(stories, inputs: report.inputs), terminator: "")
        case .markdown: print(StoryMarkdown.render(stories), terminator: "")
        }
    }
}
