import XCTest
@testable import LiveTrace

/// One run of `scripts/capture-real-trace.sh` into a fresh temp directory.
/// The integrator's analyzer tests can reuse it: `try CaptureRun.make()`, then read
/// `ftracePath` / `traceDatPath`, and `cleanUp()` when done.
struct CaptureRun {
    static let scriptPath = packageRoot + "/scripts/capture-real-trace.sh"
    static let workloadSource = packageRoot + "/scripts/workload/dio_workload.c"

    let directory: String
    let format: String
    let status: Int32
    let output: String
    let seconds: Double
    let stateBefore: TracingState
    let stateAfter: TracingState

    var ftracePath: String { directory + "/ftrace.txt" }
    var traceDatPath: String { directory + "/trace.dat" }
    var reportPath: String { directory + "/trace-cmd-report.txt" }
    var workloadLogPath: String { directory + "/workload.log" }

    /// Skips (XCTSkip) unless root, tracefs, loop btrfs and gcc are available; runs the script
    /// (it compiles the workload with gcc itself) with `arguments` after OUTDIR.
    static func make(arguments: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> CaptureRun {
        let tracefs = try requireTracefs(file: file, line: line)
        try requireLoopBtrfs(file: file, line: line)
        guard Command.which("gcc") != nil else { throw XCTSkip("gcc not installed", file: file, line: line) }
        XCTAssertTrue(FileIO.exists(scriptPath), "missing \(scriptPath)", file: file, line: line)
        XCTAssertTrue(FileIO.exists(workloadSource), "missing \(workloadSource)", file: file, line: line)
        let format = Command.which("trace-cmd") != nil ? "both" : "ftrace"
        let directory = try Command.makeTemporaryDirectory(prefix: "dio-capture-test")
        let before = try TracingState.capture(from: tracefs)
        let start = MonotonicClock.now()
        let result = try Command.run("bash", [scriptPath, directory, "--format", format] + arguments)
        let seconds = MonotonicClock.now() - start
        let after = try TracingState.capture(from: tracefs)
        return CaptureRun(directory: directory, format: format, status: result.status, output: result.output,
                          seconds: seconds, stateBefore: before, stateAfter: after)
    }

    func cleanUp() { Command.removeTree(directory) }
}

/// Monotonic seconds (CLOCK_MONOTONIC).
enum MonotonicClock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

final class CaptureScriptTests: XCTestCase {
    func testCaptureRealTraceOnLoopBtrfs() throws {
        let run = try CaptureRun.make()
        defer { run.cleanUp() }
        print("capture-real-trace.sh took \(String(format: "%.1f", run.seconds)) s (format \(run.format))")
        XCTAssertEqual(run.status, 0, "script failed:\n\(run.output)")

        // tracing state after == before
        XCTAssertEqual(run.stateAfter.differences(from: run.stateBefore), [], "tracefs state not restored")

        // the NOCOW file's inode number, from the workload log
        let log = try XCTUnwrap(readFile(run.workloadLogPath), "no workload.log")
        let nocowLine = try XCTUnwrap(log.split(separator: "\n").first { $0.hasPrefix("case=set-nocow file=nocow ") },
                                      "workload did not set NOCOW:\n\(log)")
        XCTAssertTrue(nocowLine.contains(" ret=0 "), String(nocowLine))
        let ino = try XCTUnwrap(nocowLine.split(separator: " ").first { $0.hasPrefix("ino=") }.map { String($0.dropFirst(4)) })
        XCTAssertTrue(log.contains("dio_workload done"), "workload did not finish:\n\(log)")

        let ftrace = try XCTUnwrap(readFile(run.ftracePath), "no ftrace.txt")
        let lines = ftrace.split(separator: "\n")
        let directAdds = lines.filter {
            $0.contains(" btrfs_ordered_extent_add: ") && $0.contains(" ino=\(ino) ") && $0.contains("DIRECT")
        }
        XCTAssertFalse(directAdds.isEmpty, "no DIRECT ordered extent for the NOCOW file ino=\(ino)")
        XCTAssertTrue(lines.contains { $0.contains(" btrfs_ordered_extent_add: ") && $0.contains(" ino=\(ino) ")
                                       && $0.contains("flags=NOCOW|DIRECT") }, "no NOCOW|DIRECT overwrite")
        XCTAssertTrue(lines.contains { $0.contains("iomap_dio_rw_begin: ") }, "no iomap_dio_rw_begin")
        let evictByUmount = lines.filter { $0.contains(" btrfs_inode_evict: ") && $0.trimmingPrefixBlanks().hasPrefix("umount-") }
        XCTAssertFalse(evictByUmount.isEmpty, "no btrfs_inode_evict by umount")
        XCTAssertTrue(evictByUmount.contains { $0.contains(" ino=\(ino) ") }, "NOCOW inode not evicted by umount")
        XCTAssertFalse(ftrace.contains("LOST"), "ftrace.txt has LOST EVENTS")
        let header = try XCTUnwrap(lines.first { $0.hasPrefix("# entries-in-buffer/entries-written:") })
        let counts = header.split(separator: " ")[2].split(separator: "/")
        XCTAssertEqual(counts.first, counts.last, "entries-in-buffer != entries-written: \(header)")

        if run.format == "both" {
            XCTAssertTrue(FileIO.exists(run.traceDatPath), "no trace.dat")
            let report = try XCTUnwrap(readFile(run.reportPath), "no trace-cmd-report.txt")
            XCTAssertTrue(report.contains("btrfs_ordered_extent_add"), "report has no ordered extents")
            XCTAssertFalse(report.contains("LOST"), "trace-cmd report has LOST EVENTS")
        }
        let info = try XCTUnwrap(readFile(run.directory + "/capture-info.txt"))
        XCTAssertTrue(info.contains("lost_events: 0"), info)
        XCTAssertTrue(info.contains("evict_by_umount_in_trace: 1"), info)

        // nothing left behind
        XCTAssertFalse(try XCTUnwrap(readFile("/proc/mounts")).contains("dio-capture."), "a capture mount is left")
        XCTAssertFalse(LoopBtrfs.attachedLoopDevices().values.contains { $0.contains("dio-capture.") },
                       "a capture loop device is left")
    }
}

extension Substring {
    func trimmingPrefixBlanks() -> Substring { drop { $0 == " " } }
}
