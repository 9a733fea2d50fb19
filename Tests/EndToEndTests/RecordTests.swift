import Foundation
import LiveTrace
import XCTest

/// `dio-trace record` on this machine's kernel: a btrfs on a loop file, the real O_DIRECT
/// workload and the umount inside the recording; the live analysis must equal a later
/// `analyze` of the saved trace, and tracefs must be left exactly as found.
/// Skips unless root, tracefs, a loop btrfs and gcc are available.
final class RecordTests: XCTestCase {
    func requireRecordable() throws -> Tracefs {
        guard Tracefs.isRoot else { throw XCTSkip("needs root") }
        let tracefs: Tracefs
        do {
            tracefs = try Tracefs()
            try tracefs.requireWritable()
        } catch {
            throw XCTSkip("tracefs unavailable: \(error)")
        }
        guard FileManager.default.fileExists(atPath: tracefs.path("events/btrfs")) else {
            throw XCTSkip("no btrfs tracepoints")
        }
        return tracefs
    }

    func snapshot(_ tracefs: Tracefs) throws -> TracingState {
        try TracingState.capture(from: tracefs)
    }

    func assertSameState(_ before: TracingState, _ after: TracingState, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(before.isEquivalent(to: after), "tracing state changed: \(before.differences(from: after))", file: file, line: line)
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text.prefix(500))")
    }

    /// Findings as `rule inode` and inode balances without file names, sorted; only `fsid`'s.
    func ledger(_ report: [String: Any], fsid: String) -> (findings: [String], inodes: [String]) {
        let findings = (report["findings"] as? [[String: Any]] ?? [])
            .filter { ($0["fsid"] as? String).map { $0 == fsid } ?? true }
            .map { "\($0["rule"] ?? "-") \($0["inode"] ?? "-") \($0["severity"] ?? "-")" }.sorted()
        let keys = ["root", "inode", "outstanding_extents", "metadata_reserved", "open_ordered_extents",
                    "ordered_extents_added", "qgroup_data_reserved", "evicted", "baseline"]
        let inodes = (report["inodes"] as? [[String: Any]] ?? [])
            .filter { ($0["fsid"] as? String).map { $0 == fsid } ?? true }
            .map { inode in keys.map { "\($0)=\(inode[$0] ?? "-")" }.joined(separator: " ") }.sorted()
        return (findings, inodes)
    }

    func testRecordOfTheWorkloadEqualsAnalyzeOfItsSavedTrace() throws {
        let tracefs = try requireRecordable()
        if let reason = LoopBtrfs.unavailableReason() { throw XCTSkip("loop btrfs unavailable: \(reason)") }
        guard Command.which("gcc") != nil else { throw XCTSkip("gcc not installed") }

        let fs = try LoopBtrfs()
        defer { fs.refreshMountState(); fs.teardown() }
        let fsid = try BtrfsMount.fsid(of: fs.mountPoint)
        let workload = fs.directory + "/dio_workload"
        let source = CommandLineTests.root.appendingPathComponent("scripts/workload/dio_workload.c").path
        try Command.check("gcc", ["-O2", "-Wall", "-pthread", "-o", workload, source])
        // The umount is part of the recorded command, so umount's evictions are in the trace.
        let script = fs.directory + "/run.sh"
        try "#!/bin/sh\nset -e\n\(workload) \(fs.mountPoint)\nsync\numount \(fs.mountPoint)\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        let trace = fs.directory + "/trace.dat"

        let before = try snapshot(tracefs)
        let started = Date()
        let live = try CommandLineTests.run(["record", "--format", "json", "--output", trace, "--mount", fs.mountPoint,
                                             "--", "/bin/sh", script])
        let recordSeconds = Date().timeIntervalSince(started)
        fs.refreshMountState()
        let after = try snapshot(tracefs)
        assertSameState(before, after)
        XCTAssertFalse(fs.isMounted, "the recorded command unmounts the filesystem")

        XCTAssertEqual(live.status, 0, "\(live.out.prefix(3000))\n\(live.err)")
        XCTAssertTrue(live.err.contains("exited with status 0"), live.err)
        XCTAssertTrue(live.err.contains("case=nocow"), "the workload's output goes to stderr")
        let liveReport = try json(live.out)

        let saved = try CommandLineTests.run(["analyze", "--format", "json", trace])
        XCTAssertEqual(saved.status, 0, "\(saved.out.prefix(3000))\n\(saved.err)")
        let savedReport = try json(saved.out)

        // The report was made while the command ran (no fallback to the saved trace).
        XCTAssertFalse(live.err.contains("is not used"), live.err)
        let a = ledger(liveReport, fsid: fsid), b = ledger(savedReport, fsid: fsid)
        XCTAssertEqual(a.findings, b.findings)
        XCTAssertEqual(a.inodes, b.inodes)
        XCTAssertFalse(a.inodes.isEmpty)
        XCTAssertTrue(a.inodes.contains { $0.contains("evicted=1") || $0.contains("evicted=true") }, "\(a.inodes)")
        // Every inode of the live report is on the recorded filesystem.
        for inode in liveReport["inodes"] as? [[String: Any]] ?? [] {
            XCTAssertEqual(inode["fsid"] as? String, fsid)
        }
        let liveStats = try XCTUnwrap(liveReport["statistics"] as? [String: Any])
        let savedStats = try XCTUnwrap(savedReport["statistics"] as? [String: Any])
        for key in ["lines", "events", "decoded_events", "lost_events", "unrecognized_lines", "malformed_lines", "bytes"] {
            XCTAssertEqual(liveStats[key] as? Int, savedStats[key] as? Int, key)
        }
        XCTAssertEqual(liveStats["lost_events"] as? Int, 0)
        XCTAssertGreaterThan(liveStats["decoded_events"] as? Int ?? 0, 100)
        print("record of the workload: \(String(format: "%.2f", recordSeconds)) s, \(liveStats["events"] ?? 0) events")
    }

    /// An O_DIRECT workload on a nodatasum btrfs (direct I/O on checksummed files goes buffered
    /// since 6.14): events decoded, none lost, the saved trace.dat gives the same analysis
    /// through `trace-cmd report` text as through our reader, and `--output-format text` writes
    /// text `analyze` reads.
    func testSavedTraceDatReadsLikeTraceCmdReportAndTextOutputIsAnalyzable() throws {
        let tracefs = try requireRecordable()
        if let reason = LoopBtrfs.unavailableReason() { throw XCTSkip("loop btrfs unavailable: \(reason)") }
        guard Command.which("trace-cmd") != nil else { throw XCTSkip("trace-cmd not installed") }
        let fs = try LoopBtrfs(sizeBytes: 512 << 20, mountOptions: ["nodatasum"])
        defer { fs.teardown() }
        let fsid = try BtrfsMount.fsid(of: fs.mountPoint)
        let work = "for i in 1 2 3 4; do dd if=/dev/zero of=\(fs.mountPoint)/f$i bs=64k count=32 oflag=direct status=none; done; sync"
        let dat = fs.directory + "/trace.dat", text = fs.directory + "/trace.txt"
        let before = try snapshot(tracefs)
        let r = try CommandLineTests.run(["record", "--format", "json", "--output", dat, "--", "sh", "-c", work])
        XCTAssertEqual(r.status, 0, r.err)
        let live = try json(r.out)
        let stats = try XCTUnwrap(live["statistics"] as? [String: Any])
        XCTAssertGreaterThan(stats["decoded_events"] as? Int ?? 0, 100, "\(stats)")
        XCTAssertEqual(stats["lost_events"] as? Int, 0)
        XCTAssertEqual((stats["lost_events_by_cpu"] as? [String: Int])?.isEmpty, true)
        XCTAssertGreaterThanOrEqual((stats["events_by_name"] as? [String: Int])?["iomap_dio_rw_begin"] ?? 0, 128)

        try Command.check("sh", ["-c", "trace-cmd report -t -i '\(dat)' > '\(fs.directory)/report.txt'"])
        let viaText = try json(try CommandLineTests.run(["analyze", "--format", "json", fs.directory + "/report.txt"]).out)
        let datRun = try CommandLineTests.run(["analyze", "--format", "json", dat])
        let viaDat = try json(datRun.out)
        // Made while the command ran, the report is the saved trace's to the byte.
        XCTAssertFalse(r.err.contains("is not used"), r.err)
        XCTAssertEqual(r.out, datRun.out)
        let textStats = try XCTUnwrap(viaText["statistics"] as? [String: Any])
        let datStats = try XCTUnwrap(viaDat["statistics"] as? [String: Any])
        for key in ["events", "decoded_events", "lost_events", "malformed_lines"] {
            XCTAssertEqual(textStats[key] as? Int, datStats[key] as? Int, key)
        }
        XCTAssertEqual(textStats["events_by_name"] as? [String: Int], datStats["events_by_name"] as? [String: Int])
        XCTAssertEqual(textStats["unrecognized_lines"] as? Int, 0)
        XCTAssertEqual(ledger(viaText, fsid: fsid).findings, ledger(viaDat, fsid: fsid).findings)
        XCTAssertEqual(ledger(viaText, fsid: fsid).inodes, ledger(viaDat, fsid: fsid).inodes)
        XCTAssertEqual(ledger(viaDat, fsid: fsid).inodes, ledger(live, fsid: fsid).inodes)

        let t = try CommandLineTests.run(["record", "--format", "json", "--output", text, "--output-format", "text",
                                          "--", "sh", "-c", work])
        XCTAssertEqual(t.status, 0, t.err)
        let analyzed = try json(try CommandLineTests.run(["analyze", "--format", "json", text]).out)
        let analyzedStats = try XCTUnwrap(analyzed["statistics"] as? [String: Any])
        XCTAssertEqual(analyzedStats["formats"] as? [String], ["trace-cmd"])
        XCTAssertGreaterThan(analyzedStats["decoded_events"] as? Int ?? 0, 100)
        XCTAssertEqual(analyzedStats["malformed_lines"] as? Int, 0)
        assertSameState(before, try snapshot(tracefs))
        XCTAssertEqual(try CommandLineTests.run(["record", "--output-format", "text", "--", "true"]).status, 2, "text needs --output")
    }

    /// `--analyze-after`: no live analysis; the trace.dat is written (to a temporary directory
    /// without `--output`) and analyzed when the command has exited, with the same report as
    /// `analyze` of the saved file.
    func testAnalyzeAfterReadsTheSavedTrace() throws {
        let tracefs = try requireRecordable()
        if let reason = LoopBtrfs.unavailableReason() { throw XCTSkip("loop btrfs unavailable: \(reason)") }
        let fs = try LoopBtrfs(sizeBytes: 512 << 20, mountOptions: ["nodatasum"])
        defer { fs.teardown() }
        let work = "dd if=/dev/zero of=\(fs.mountPoint)/f bs=64k count=64 oflag=direct status=none; sync"
        let dat = fs.directory + "/after.dat"
        let before = try snapshot(tracefs)
        let kept = try CommandLineTests.run(["record", "--analyze-after", "--format", "json", "--output", dat, "--", "sh", "-c", work])
        XCTAssertEqual(kept.status, 0, kept.err)
        let saved = try CommandLineTests.run(["analyze", "--format", "json", dat])
        XCTAssertEqual(kept.out, saved.out, "the report after the command is the saved trace's")
        let alone = try CommandLineTests.run(["record", "--analyze-after", "--format", "json", "--", "sh", "-c", work])
        XCTAssertEqual(alone.status, 0, alone.err)
        let stats = try XCTUnwrap(try json(alone.out)["statistics"] as? [String: Any])
        XCTAssertGreaterThan(stats["decoded_events"] as? Int ?? 0, 64, "\(stats)")
        XCTAssertEqual(stats["lost_events"] as? Int, 0)
        assertSameState(before, try snapshot(tracefs))
    }

    func testMountLimitsTheReportToOneFilesystem() throws {
        let tracefs = try requireRecordable()
        if let reason = LoopBtrfs.unavailableReason() { throw XCTSkip("loop btrfs unavailable: \(reason)") }
        let a = try LoopBtrfs(sizeBytes: 512 << 20)
        defer { a.teardown() }
        let b = try LoopBtrfs(sizeBytes: 512 << 20)
        defer { b.teardown() }
        let fsidA = try BtrfsMount.fsid(of: a.mountPoint), fsidB = try BtrfsMount.fsid(of: b.mountPoint)
        XCTAssertNotEqual(fsidA, fsidB)
        let trace = a.directory + "/trace.dat"
        let write = "dd if=/dev/zero of=%@/f bs=64k count=4 oflag=direct status=none"
        let cmd = String(format: write, a.mountPoint) + " && " + String(format: write, b.mountPoint) + " && sync"
        let before = try snapshot(tracefs)
        let r = try CommandLineTests.run(["record", "--format", "json", "--output", trace, "--mount", b.mountPoint, "--", "sh", "-c", cmd])
        assertSameState(before, try snapshot(tracefs))
        XCTAssertEqual(r.status, 0, r.err)
        let live = try json(r.out)
        let liveFsids = Set((live["inodes"] as? [[String: Any]] ?? []).compactMap { $0["fsid"] as? String })
        XCTAssertEqual(liveFsids, [fsidB])
        let all = try json(try CommandLineTests.run(["analyze", "--format", "json", trace]).out)
        let allFsids = Set((all["inodes"] as? [[String: Any]] ?? []).compactMap { $0["fsid"] as? String })
        XCTAssertEqual(allFsids, [fsidA, fsidB])
        XCTAssertEqual(ledger(live, fsid: fsidB).inodes, ledger(all, fsid: fsidB).inodes)
        // A path that is not btrfs is refused.
        XCTAssertEqual(try CommandLineTests.run(["record", "--mount", "/proc", "--", "true"]).status, 2)
    }

    /// A tiny ring buffer loses events: the pages report them in place, the report carries
    /// them (statistics and DIO050), the saved trace gives the same analysis, and the options
    /// record changed (overwrite, here found off) are restored.
    func testLostEventsAreReportedAndSaved() throws {
        let tracefs = try requireRecordable()
        if let reason = LoopBtrfs.unavailableReason() { throw XCTSkip("loop btrfs unavailable: \(reason)") }
        guard Command.which("gcc") != nil else { throw XCTSkip("gcc not installed") }
        let fs = try LoopBtrfs()
        defer { fs.refreshMountState(); fs.teardown() }
        let workload = fs.directory + "/dio_workload"
        try Command.check("gcc", ["-O2", "-pthread", "-o", workload,
                                  CommandLineTests.root.appendingPathComponent("scripts/workload/dio_workload.c").path])
        let script = fs.directory + "/run.sh"
        try "#!/bin/sh\n\(workload) -s 8 \(fs.mountPoint) >/dev/null\nsync\numount \(fs.mountPoint)\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        let trace = fs.directory + "/trace.dat"
        let overwrite = readText(tracefs.path("options/overwrite"))
        try tracefs.write("options/overwrite", "0\n")
        defer { if let overwrite { try? tracefs.write("options/overwrite", overwrite) } }
        let before = try snapshot(tracefs)
        let r = try CommandLineTests.run(["record", "--format", "json", "--buffer-kb", "64", "--output", trace, "--", "/bin/sh", script])
        assertSameState(before, try snapshot(tracefs))
        XCTAssertNotEqual(r.status, 2, r.err)
        let live = try json(r.out)
        let stats = try XCTUnwrap(live["statistics"] as? [String: Any])
        guard let lost = stats["lost_events"] as? Int, lost > 0 else {
            throw XCTSkip("no events lost with a 64 KiB buffer on this machine")
        }
        XCTAssertTrue(r.err.contains("lost events"), r.err)
        let rules = (live["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        XCTAssertTrue(rules.contains("DIO050"))
        let byCPU = try XCTUnwrap(stats["lost_events_by_cpu"] as? [String: Int])
        XCTAssertEqual(byCPU.values.reduce(0, +), lost, "\(byCPU)")
        // The pages carry the overruns; losses only the ring-buffer statistics show (dropped
        // events, commit overruns, a page without room for its count) are added by record.
        let saved = try json(try CommandLineTests.run(["analyze", "--format", "json", trace]).out)
        let savedLost = try XCTUnwrap((saved["statistics"] as? [String: Any])?["lost_events"] as? Int)
        XCTAssertGreaterThan(savedLost, 0)
        XCTAssertLessThanOrEqual(savedLost, lost)
        let fsid = try XCTUnwrap((live["inodes"] as? [[String: Any]])?.first?["fsid"] as? String)
        XCTAssertEqual(ledger(live, fsid: fsid).findings, ledger(saved, fsid: fsid).findings)
        XCTAssertEqual(ledger(live, fsid: fsid).inodes, ledger(saved, fsid: fsid).inodes)
    }

    func testCommandThatCannotStartExits2AndLeavesStateUnchanged() throws {
        let tracefs = try requireRecordable()
        let before = try snapshot(tracefs)
        let r = try CommandLineTests.run(["record", "--", "/nonexistent/cmd", "arg"])
        let after = try snapshot(tracefs)
        XCTAssertEqual(r.status, 2, r.err)
        XCTAssertTrue(r.err.contains("/nonexistent/cmd"), r.err)
        XCTAssertEqual(r.out, "")
        assertSameState(before, after)
    }

    func testFailingCommandStillGetsAReportWithItsStatus() throws {
        let tracefs = try requireRecordable()
        let before = try snapshot(tracefs)
        let text = try CommandLineTests.run(["record", "false"])
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("findings"), text.out)
        XCTAssertTrue(text.out.hasSuffix("command: false exited with status 1\n"), text.out)

        // JSON: standard output is only the report, even when the command prints.
        let j = try CommandLineTests.run(["record", "--format", "json", "--", "sh", "-c", "echo hello; exit 3"])
        XCTAssertEqual(j.status, 0, j.err)
        let report = try json(j.out)
        XCTAssertNotNil(report["statistics"])
        XCTAssertTrue(j.err.contains("hello"))
        XCTAssertTrue(j.err.contains("exited with status 3"), j.err)
        assertSameState(before, try snapshot(tracefs))
    }

    /// Two recorders at once with tracefs unmounted: the second queues on the lock and then mounts
    /// tracefs itself (it used to open tracefs before the lock and fail once the first unmounted it).
    func testSecondRecorderQueuesWhileTheFirstMountsAndUnmountsTracefs() throws {
        _ = try requireRecordable()
        let mounts = try String(contentsOfFile: "/proc/mounts", encoding: .utf8)
        let tracefsMounts = mounts.split(separator: "\n").filter { $0.contains(" tracefs ") }
        // Only when this test can own tracefs: it unmounts it and mounts it back afterwards.
        guard tracefsMounts.count == 1, tracefsMounts[0].contains(" /sys/kernel/tracing ") else { throw XCTSkip("tracefs mounted elsewhere too") }
        guard shell("umount /sys/kernel/tracing") == 0 else { throw XCTSkip("tracefs busy") }
        defer { _ = shell("mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing") }
        let a = Process(), b = Process()
        for p in [a, b] {
            p.executableURL = CommandLineTests.binary
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
        }
        a.arguments = ["record", "--", "sleep", "1.5"]
        b.arguments = ["record", "--", "true"]
        try a.run()
        Thread.sleep(forTimeInterval: 0.5)
        try b.run()
        a.waitUntilExit()
        b.waitUntilExit()
        XCTAssertEqual(a.terminationStatus, 0)
        XCTAssertEqual(b.terminationStatus, 0)
        XCTAssertNotEqual(shell("mountpoint -q /sys/kernel/tracing"), 0, "tracefs should be unmounted again, as found")
    }

    func shell(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    func testBadMountAndUsageExit2() throws {
        let tracefs = try requireRecordable()
        let before = try snapshot(tracefs)
        XCTAssertEqual(try CommandLineTests.run(["record", "--mount", "/nonexistent/mnt", "--", "true"]).status, 2)
        XCTAssertEqual(try CommandLineTests.run(["record"]).status, 2)
        XCTAssertEqual(try CommandLineTests.run(["record", "--buffer-kb", "1", "--", "true"]).status, 2)
        assertSameState(before, try snapshot(tracefs))
    }

    func testInterruptStopsTheCommandAndRestoresState() throws {
        let tracefs = try requireRecordable()
        let before = try snapshot(tracefs)
        let p = Process()
        p.executableURL = CommandLineTests.binary
        p.arguments = ["record", "--", "sleep", "30"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Wait until the command runs (tracing is on by then), then interrupt.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, shell("pgrep -P \(p.processIdentifier) -x sleep") != 0 {
            usleep(50_000)
        }
        usleep(200_000)
        let started = Date()
        p.interrupt()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(p.terminationStatus, 2, e)
        XCTAssertTrue(e.contains("interrupted"), e)
        XCTAssertTrue(e.contains("signal 2"), e)
        XCTAssertTrue(String(decoding: o, as: UTF8.self).contains("command: sleep 30 killed by signal 2"))
        assertSameState(before, try snapshot(tracefs))
    }
}

private func readText(_ path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
}
