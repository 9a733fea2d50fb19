import ArgumentParser
import BtrfsAccounting
import Foundation
import TraceEvents
import TraceInput

/// `dio-trace-bench text`: throughput and memory of `analyze` on a large trace built by replicating
/// a real capture, next to `wc -l` on the same file, in one run.
struct TextBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Measure analyze throughput (MB/s, events/s, peak memory) against wc -l on a replicated real capture.")

    @OptionGroup var trace: ReplicatedTrace

    func run() throws {
        let (path, mb) = try trace.prepare()
        // Warm the page cache once so both measurements read from memory.
        try Measure.run("cat", [path])

        let wc = try Measure.timeRun("wc", ["-l", path])
        var report: AnalysisReport?
        let analyze = try Measure.seconds { report = try Analysis.run(paths: [path]) }
        let events = Double(report?.statistics.events ?? 0)
        print(String(format: "wc -l:    %7.3f s  %8.1f MB/s", wc, mb / wc))
        print(String(format: "analyze:  %7.3f s  %8.1f MB/s  %10.0f events/s  (%.0f events, %d findings)",
                     analyze, mb / analyze, events / analyze, events, report?.findings.count ?? 0))
        print(String(format: "ratio analyze/wc-l throughput: %.3f", wc / analyze))
        print(String(format: "peak memory (max RSS): %.1f MB", Measure.peakRSSMB()))
    }
}

/// The input of the text and gzip scenarios: a real capture replicated to `--size-mb`, written
/// once and reused while it is large enough.
struct ReplicatedTrace: ParsableArguments {
    @Option(help: "Real capture to replicate (plain or gzip; default: the 6.1 dio-splice ftrace).")
    var source: String = Measure.repositoryRoot.appendingPathComponent("Fixtures/kernel-6.1-qemu/dio-splice/ftrace.txt.gz").path

    @Option(help: "Size of the generated trace in MB.")
    var sizeMb: Int = 512

    @Option(help: "Where to write the generated trace.")
    var output: String = Measure.repositoryRoot.appendingPathComponent("bench-data/bench-trace.txt").path

    /// Writes the trace when missing or smaller than `--size-mb`; its path and size in MB.
    func prepare() throws -> (path: String, mb: Double) {
        let data = Data(try TraceInputOpener.open(path: source).0.readAll())
        let target = sizeMb << 20
        let dir = (output as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let existing = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        if existing < target {
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            guard let handle = FileHandle(forWritingAtPath: output) else { throw ValidationError("cannot write \(output)") }
            var written = 0
            while written < target {
                handle.write(data)
                written += data.count
            }
            try handle.close()
        }
        let size = (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        let mb = Double(size) / 1_048_576
        print("trace: \(output), \(String(format: "%.1f", mb)) MB (\(source) replicated)")
        return (output, mb)
    }
}
