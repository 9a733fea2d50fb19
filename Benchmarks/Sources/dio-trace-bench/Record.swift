import ArgumentParser
import Foundation

/// Wall time of a direct-I/O workload under `dio-trace record` against the same workload
/// untraced, interleaved in one run (root: a loop btrfs mounted `-o nodatasum`, so O_DIRECT
/// writes take the direct path on 6.14+ kernels).
///
/// The workload is `--writers` parallel `dd bs=4k oflag=direct` of `--blocks` blocks each, then
/// `sync` and `rm`; it times itself, so the traced figure is the workload's own time under
/// tracing. `record`'s whole run (start, the workload, writing and analyzing the trace.dat) is
/// printed beside it, with the events captured and lost from its JSON report.
struct RecordBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Measure a direct-I/O workload under `dio-trace record` against the same workload untraced (root).")

    @Option(help: "The dio-trace binary to measure.")
    var binary: String = Measure.repositoryRoot.appendingPathComponent(".build/release/dio-trace").path

    @Option(help: "Another dio-trace binary (an older build) measured in the same interleaved runs.")
    var baseline: String?

    @Option(help: "Parallel dd writers.")
    var writers: Int = 4

    @Option(help: "4 KiB blocks per writer.")
    var blocks: Int = 15000

    @Option(help: "Untraced/traced pairs (medians are printed).")
    var runs: Int = 3

    func run() throws {
        guard geteuid() == 0 else { throw ValidationError("record needs root (tracefs, loop devices)") }
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw ValidationError("no dio-trace binary at \(binary)") }
        var template = Array("/var/tmp/dio-trace-bench-record.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ValidationError("mkdtemp failed in /var/tmp") }
        let work = String(cString: made)
        let image = work + "/btrfs.img", mount = work + "/mnt", elapsed = work + "/elapsed", trace = work + "/trace.dat"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try shell("truncate -s 3G \(image) && mkfs.btrfs -q -f \(image) && mount -o loop,nodatasum \(image) \(mount)")
        defer {
            _ = try? shell("umount \(mount)")
            try? FileManager.default.removeItem(atPath: work)
        }
        let script = work + "/workload.sh"
        try """
            #!/bin/sh
            start=$(date +%s.%N)
            i=0
            while [ $i -lt \(writers) ]; do
                dd if=/dev/zero of=\(mount)/f$i bs=4k count=\(blocks) oflag=direct 2>/dev/null &
                i=$((i + 1))
            done
            wait
            sync
            end=$(date +%s.%N)
            echo "$start $end" > \(elapsed)
            rm -f \(mount)/f*
            sync

            """.write(toFile: script, atomically: true, encoding: .utf8)
        var untraced: [Double] = []
        let binaries = [binary] + (baseline.map { [$0] } ?? [])
        var runsByBinary = Array(repeating: Runs(), count: binaries.count)
        for _ in 0..<runs {
            try Measure.run("/bin/sh", [script])
            untraced.append(try workloadSeconds(elapsed))
            for (index, recorder) in binaries.enumerated() {
                let out = work + "/report.json"
                let start = Measure.now()
                try shell("\(recorder) record --format json --output \(trace) -- /bin/sh \(script) > \(out) 2>/dev/null || [ $? -eq 1 ]")
                runsByBinary[index].whole.append(Measure.now() - start)
                runsByBinary[index].traced.append(try workloadSeconds(elapsed))
                let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
                let statistics = report?["statistics"] as? [String: Any]
                runsByBinary[index].events.append(statistics?["events"] as? Int ?? -1)
                runsByBinary[index].lost.append(statistics?["lost_events"] as? Int ?? -1)
            }
        }
        let u = Measure.median(untraced)
        print("workload: \(writers) x dd bs=4k count=\(blocks) oflag=direct on a nodatasum loop btrfs, \(runs) interleaved runs")
        print(String(format: "untraced:  %.2f s (median)", u))
        for (index, recorder) in binaries.enumerated() {
            let r = runsByBinary[index]
            let t = Measure.median(r.traced), w = Measure.median(r.whole)
            print(index == 0 ? "\(recorder):" : "baseline \(recorder):")
            print(String(format: "  traced:  %.2f s workload under record, ratio %.2f", t, t / u))
            print(String(format: "  record:  %.2f s in all (start, workload, rm, trace.dat written, report), ratio %.2f; %.2f s after the workload",
                         w, w / u, w - t))
            print("  events:  \(r.events.map(String.init).joined(separator: ", ")) per run; lost: \(r.lost.map(String.init).joined(separator: ", "))")
        }
    }

    /// One recorder's figures over the runs.
    private struct Runs {
        var traced: [Double] = [], whole: [Double] = [], events: [Int] = [], lost: [Int] = []
    }

    private func workloadSeconds(_ path: String) throws -> Double {
        let fields = try String(contentsOfFile: path, encoding: .utf8).split(separator: " ").compactMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard fields.count == 2 else { throw ValidationError("the workload did not record its time in \(path)") }
        return fields[1] - fields[0]
    }

    private func shell(_ command: String) throws {
        let status = try Measure.run("/bin/sh", ["-c", command])
        guard status == 0 else { throw ValidationError("failed (\(status)): \(command)") }
    }
}
