import Foundation
import LiveTrace
import TraceDat
import TraceEvents
import XCTest

/// A live capture of the per-CPU raw buffers (`RawTraceCapture`) of an O_DIRECT workload on a
/// loop btrfs, written by `TraceDatWriter`: `trace-cmd report` reads it and gives the same
/// events as our reader, none lost. Every btrfs and iomap event is enabled, so every format of
/// this kernel's btrfs events goes through both readers. Skips unless root, tracefs, a loop
/// btrfs and trace-cmd are available; takes the capture lock and restores the tracing state.
final class RawCaptureTests: XCTestCase {
    func testRawCaptureReadsLikeTraceCmdReport() throws {
        guard Tracefs.isRoot else { throw XCTSkip("needs root") }
        guard let tracefs = try? Tracefs.writable() else { throw XCTSkip("tracefs unavailable or not writable") }
        if let reason = LoopBtrfs.unavailableReason() { throw XCTSkip("loop btrfs unavailable: \(reason)") }
        guard Command.which("trace-cmd") != nil else { throw XCTSkip("trace-cmd not installed") }
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }

        let lock = try CaptureLock()
        defer { lock.release() }
        // nodatasum: O_DIRECT on checksummed files goes buffered since 6.14.
        let fs = try LoopBtrfs(sizeBytes: 512 << 20, mountOptions: ["nodatasum"])
        defer { fs.teardown() }
        let saved = try TracingState.capture(from: tracefs)
        defer { try? saved.restore(to: tracefs) }
        try tracefs.setTracingOn(false)
        try tracefs.disableAllEvents()
        try tracefs.setBufferSizeKB(8192)
        let enabled = try tracefs.enableEvents(["btrfs:*", "iomap:*"]).enabled
        guard enabled.contains(where: { $0.hasPrefix("btrfs:") }) else { throw XCTSkip("no btrfs tracepoints") }
        try tracefs.clearBuffer()

        let capture = try RawTraceCapture(tracefs: tracefs, directory: scratch.path)
        try tracefs.setTracingOn(true)
        try Command.check("dd", ["if=/dev/zero", "of=\(fs.mountPoint)/f", "bs=64k", "count=64", "oflag=direct", "status=none"])
        try Command.check("dd", ["if=\(fs.mountPoint)/f", "of=/dev/null", "bs=64k", "iflag=direct", "status=none"])
        try Command.check("sync", [])
        try tracefs.setTracingOn(false)
        let pages = try capture.stop()
        XCTAssertEqual(try capture.stop(), pages, "stop twice")
        let stats = try tracefs.ringBufferStats()
        let contents = try TraceDatContents.read(from: tracefs, events: enabled, pages: pages, pageSize: capture.pageSize)
        let dat = scratch.appendingPathComponent("capture.dat")
        try TraceDatWriter.write(contents, to: dat.path)

        XCTAssertGreaterThan(pages.reduce(0) { $0 + $1.pages }, 0)
        for (cpu, s) in stats { XCTAssertFalse(s.lostEvents, "cpu\(cpu): \(s)") }
        let (binary, reader) = try binaryEvents(dat)
        XCTAssertGreaterThan(reader.statistics.decodedEvents, 0)
        XCTAssertEqual(reader.statistics.lostEvents, 0)
        XCTAssertEqual(reader.statistics.events, reader.statistics.eventsByName.values.reduce(0, +))
        XCTAssertGreaterThan(reader.statistics.eventsByName["iomap_dio_rw_begin"] ?? 0, 0, "\(reader.statistics.eventsByName)")
        let report = scratch.appendingPathComponent("capture.txt")
        try runTool(["trace-cmd", "report", "-i", dat.path], stdout: report)
        let (text, textStats) = try textEvents(report.path)
        assertSameEvents(binary, text, "raw capture vs trace-cmd report")
        XCTAssertEqual(reader.statistics.events, textStats.events)
        XCTAssertEqual(reader.statistics.eventsByName, textStats.eventsByName)
        XCTAssertEqual(textStats.malformedLines, 0, "\(textStats.problems.prefix(3))")
    }
}
