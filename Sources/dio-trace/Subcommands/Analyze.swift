import ArgumentParser
import BtrfsAccounting
import TraceEvents
import TraceInput

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, markdown, html, perfetto

    /// The HTML and Perfetto reports draw balances over time.
    var needsTimeline: Bool { self == .html || self == .perfetto }
}

extension Severity: ExpressibleByArgument {}

extension TraceFormat: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "ftrace": self = .ftrace
        case "trace-cmd", "tracecmd": self = .traceCmdReport
        case "perf", "perf-script": self = .perfScript
        case "trace.dat", "tracedat", "dat": self = .traceDat
        default: return nil
        }
    }
}

/// Options shared by `analyze` and `record`.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text, json, sarif, markdown (the findings' stories), html (timeline page) or perfetto (Trace Event Format JSON).")
    var format: OutputFormat = .text

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding reaches this severity (note, warning, error).")
    var failOn: Severity = .error

    @Option(name: .long, help: "Kernel log (dmesg) whose reports are tied to the findings.")
    var dmesg: String?
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay btrfs space accounting from traces and report reservations that outlive their I/O.",
        discussion: """
        Reads raw ftrace text, trace-cmd report text, perf script text or trace.dat, plain or gzip.
        Exit status: 0 no finding at or above --fail-on, 1 at least one, 2 usage or input error.
        """)

    @Argument(help: "Trace files (- for standard input).")
    var files: [String]

    @Option(name: .customLong("format-in"), help: "Input format instead of detection: ftrace, trace-cmd, perf, trace.dat.")
    var formatIn: TraceFormat?

    @OptionGroup var report: ReportOptions

    @Flag(name: .shortAndLong, help: "No progress line on standard error (there is none unless it is a terminal).")
    var quiet = false

    func run() throws {
        let result: AnalysisReport
        let progress = ProgressLine(label: "analyze", quiet: quiet)
        do {
            var options = AnalysisOptions(formatOverride: formatIn)
            options.progress = progress.counter
            defer { progress.finish() }
            options.recordTimeline = report.format.needsTimeline
            result = try Analysis.run(paths: files, options: options, traceDat: TraceDatSupport.opener)
        } catch let error as InputError {
            printError(error.description)
            throw ExitCode(2)
        }
        try emit(result, options: report)
    }
}

/// Renders a report, attaches kernel reports, and maps findings to the exit status.
func emit(_ input: AnalysisReport, options: ReportOptions) throws {
    var result = input
    if let dmesg = options.dmesg {
        do {
            result = try KernelReportLink.attach(dmesgPath: dmesg, to: result)
        } catch let error as InputError {
            printError(error.description)
            throw ExitCode(2)
        }
    }
    switch options.format {
    case .text: print(TerminalStyle.forDescriptor(1).paint(TextReport.render(result)), terminator: "")
    case .json: print(JSONReport.render(result), terminator: "")
    case .sarif: print(SARIFOutput.render(result), terminator: "")
    case .markdown: print(MarkdownReport.render(result), terminator: "")
    case .html: print(HTMLReport.render(result), terminator: "")
    case .perfetto: print(PerfettoReport.render(result), terminator: "")
    }
    if let worst = result.worstSeverity, worst >= options.failOn { throw ExitCode(1) }
}
