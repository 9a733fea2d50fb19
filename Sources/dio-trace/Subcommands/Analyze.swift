import ArgumentParser
import TraceInput
import TraceEvents

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Replay btrfs space accounting from traces.")
    @Argument(help: "Trace files (- for stdin).") var files: [String]
    func run() throws {
        var total = TraceStatistics()
        for (i, f) in files.enumerated() {
            let (src, fmt) = try TraceInputOpener.open(path: f)
            let r = TraceReader(fileIndex: Int32(i), fileName: f)
            var n = 0
            try r.read(src, format: fmt) { _ in n += 1 }
            total.merge(r.statistics)
        }
        print(total.formats, "lines", total.lines, "events", total.events, "decoded", total.decodedEvents, "unrec", total.unrecognizedLines, "malformed", total.malformedLines, "lost", total.lostEvents)
        for p in total.problems.prefix(5) { print(p) }
    }
}
