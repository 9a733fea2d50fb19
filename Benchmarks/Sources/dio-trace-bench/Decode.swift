import ArgumentParser
import Foundation
import KernelLog
import TraceInput

/// Throughput of kernel-log decoding (reports, stack dumps, frames) against `wc -l` and `grep -c`
/// on the same log in the same run.
///
/// Without an argument it uses the real lkp warning storm of ../shared (1.5 MB, 407 WARNINGs) when
/// present, else the committed 6.1 lab log with its sysrq task dumps.
struct DecodeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Measure kernel-log decoding (reports/s, frames/s) against `wc -l` and `grep -c` on the same log.")

    static let root = Measure.repositoryRoot
    static var defaultFile: String {
        let storm = root.appendingPathComponent("../shared/corpora/wild-kernel-inputs/dmesg/lkp-btrfs-62bd8124e2-407-warnings.txt").path
        return FileManager.default.fileExists(atPath: storm) ? storm : root.appendingPathComponent("Fixtures/dmesg/dmesg-full.txt").path
    }

    @Argument(help: "A kernel log (default: the lkp warning storm of ../shared, else Fixtures/dmesg/dmesg-full.txt).")
    var file: String = DecodeBench.defaultFile

    @Option(help: "Passes over the log (the median pass is reported).")
    var passes: Int = 5

    func run() throws {
        let bytes = try InputOpener.open(path: file).readAll()
        let clock = ContinuousClock()
        var durations: [Double] = []
        var cpu: [Double] = []
        var decoded = DecodedKernelLog(reports: [], stackDumps: [])
        for _ in 0..<max(1, passes) {
            let start = clock.now
            let cpuStart = Measure.processCPU()
            decoded = KernelLogParser().decode(bytes)
            cpu.append(Measure.processCPU() - cpuStart)
            let elapsed = clock.now - start
            durations.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let decode = Measure.median(durations)
        let frames = decoded.reports.reduce(0) { $0 + $1.frames.count } + decoded.stackDumps.reduce(0) { $0 + $1.frames.count }
        let wc = Measure.median((0..<max(1, passes)).map { _ in (try? Measure.timeRun("wc", ["-l", file])) ?? .nan })
        let grep = Measure.median((0..<max(1, passes)).map { _ in (try? Measure.timeRun("grep", ["-c", "Call Trace", file])) ?? .nan })
        let mb = Double(bytes.count) / 1e6
        print("log: \(file), \(String(format: "%.2f", mb)) MB, \(decoded.reports.count) reports, "
              + "\(decoded.stackDumps.count) stack dumps, \(frames) frames; medians of \(max(1, passes)) passes")
        print(String(format: "decode:          %7.3f s  %8.1f MB/s  %8.0f reports/s  %9.0f frames/s",
                     decode, mb / decode, Double(decoded.reports.count + decoded.stackDumps.count) / decode, Double(frames) / decode))
        print(String(format: "decode CPU:      %7.3f s  %8.3f ms per report (a loaded machine stretches wall time, not this)",
                     Measure.median(cpu), Measure.median(cpu) * 1000 / Double(max(1, decoded.reports.count + decoded.stackDumps.count))))
        print(String(format: "wc -l:           %7.3f s  %8.1f MB/s   (decode/wc-l time %.1f)", wc, mb / wc, decode / wc))
        print(String(format: "grep -c:         %7.3f s  %8.1f MB/s   (decode/grep time %.1f)", grep, mb / grep, decode / grep))
    }
}
