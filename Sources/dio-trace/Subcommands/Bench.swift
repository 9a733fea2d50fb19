import ArgumentParser
import BtrfsAccounting
import Foundation
import TraceEvents
import TraceInput

/// `dio-trace bench`: throughput and memory of `analyze` on a large trace built by replicating a
/// real capture, next to `wc -l` on the same file, in one run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure analyze throughput (MB/s, events/s, peak memory) against wc -l on a replicated real capture.")

    @Option(help: "Real capture to replicate (plain or gzip).")
    var source: String = "Fixtures/kernel-6.1-qemu/dio-splice/ftrace.txt.gz"

    @Option(help: "Size of the generated trace in MB.")
    var sizeMb: Int = 512

    @Option(help: "Where to write the generated trace.")
    var output: String = "bench-data/bench-trace.txt"

    func run() throws {
        let data = try decompressed(source)
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

        // Warm the page cache once so both measurements read from memory.
        _ = try time { _ = try runProcess("/bin/cat", [output]) }

        let wc = try time { _ = try runProcess("/usr/bin/wc", ["-l", output]) }
        var report: AnalysisReport?
        let analyze = try time { report = try Analysis.run(paths: [output]) }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024
        let events = Double(report?.statistics.events ?? 0)
        print(String(format: "wc -l:    %7.3f s  %8.1f MB/s", wc, mb / wc))
        print(String(format: "analyze:  %7.3f s  %8.1f MB/s  %10.0f events/s  (%.0f events, %d findings)",
                     analyze, mb / analyze, events / analyze, events, report?.findings.count ?? 0))
        print(String(format: "ratio analyze/wc-l throughput: %.3f", wc / analyze))

        // The streamed path: the same trace gzip-compressed (decompressed on a second core).
        let gz = output + ".gz"
        let gzSize = (try? FileManager.default.attributesOfItem(atPath: gz)[.size] as? Int) ?? 0
        if gzSize == 0 || (try? FileManager.default.attributesOfItem(atPath: gz)[.modificationDate] as? Date) ?? .distantPast
            < (try? FileManager.default.attributesOfItem(atPath: output)[.modificationDate] as? Date) ?? .distantPast {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "gzip -1 -c '\(output)' > '\(gz)'"]
            try p.run()
            p.waitUntilExit()
        }
        var gzReport: AnalysisReport?
        let gzTime = try time { gzReport = try Analysis.run(paths: [gz]) }
        print(String(format: "analyze .gz: %7.3f s  %8.1f MB/s of trace text  %10.0f events/s",
                     gzTime, mb / gzTime, Double(gzReport?.statistics.events ?? 0) / gzTime))
        print(String(format: "peak memory (max RSS): %.1f MB", peakMB))
    }

    func decompressed(_ path: String) throws -> Data {
        Data(try TraceInputOpener.open(path: path).0.readAll())
    }

    func time(_ body: () throws -> Void) throws -> Double {
        var a = timespec(), b = timespec()
        clock_gettime(CLOCK_MONOTONIC, &a)
        try body()
        clock_gettime(CLOCK_MONOTONIC, &b)
        return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9
    }

    func runProcess(_ tool: String, _ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
