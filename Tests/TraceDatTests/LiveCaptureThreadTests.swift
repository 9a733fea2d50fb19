import Foundation
@testable import LiveTrace
@testable import TraceDat
import TraceEvents
import TraceInput
import XCTest

/// `record`'s readers and its live merge on their own threads, as they run: one `RawCPUReader`
/// per CPU copies a file of real pages (standing in for `trace_pipe_raw`) and publishes them
/// while `readLive` merges on this thread. The readers drain only at the end of their file, so
/// no CPU ever claims to be drained early: the merge must give the file's events exactly.
/// Runs under ThreadSanitizer in `scripts/tsan.sh`.
final class LiveCaptureThreadTests: XCTestCase {
    func testReadersAndMergeOnTheirThreadsGiveTheFileEvents() throws {
        let url = try XCTUnwrap(Fixtures.datFiles.first { $0.lastPathComponent == "k6.1-dio-splice.dat" })
        let (pageSize, byCPU) = try TraceDatReader(path: url.path, fileIndex: 0).pagesByCPU()
        XCTAssertGreaterThanOrEqual(byCPU.count, 2)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }

        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]) }
        let tickets = LiveTickets()
        var readers: [RawCPUReader] = []
        for (cpu, pages) in byCPU {
            let source = dir.appendingPathComponent("source\(cpu)").path
            XCTAssertTrue(FileManager.default.createFile(atPath: source, contents: Data(pages.joined())))
            readers.append(try RawCPUReader(cpu: cpu, rawPath: source, path: dir.appendingPathComponent("cpu\(cpu).raw").path,
                                            pageSize: pageSize, stop: fds[0], tickets: tickets))
        }
        let threads = try readers.map { reader in try PosixThread(name: reader.path) { reader.run() } }
        var stopped = false
        func stop() {
            guard !stopped else { return }
            stopped = true
            var byte: UInt8 = 1
            _ = write(fds[1], &byte, 1)
            close(fds[1])
        }
        defer {
            stop()
            for thread in threads { thread.join() }
        }

        let expected = try events { sink in try TraceDatReader(path: url.path, fileIndex: 0).read(sink: sink) }
        var late = -1
        let live = try events { sink in
            late = try TraceDatReader(path: url.path, fileIndex: 0).readLive(readers, idle: {
                // The "command" ends once every reader has reached the end of its file.
                if zip(readers, byCPU).allSatisfy({ $0.state().published == $1.pages.count && $0.state().drainedTicket > 0 }) { stop() }
                usleep(100)
            }, sink: sink)
        }
        XCTAssertEqual(late, 0)
        XCTAssertEqual(live.count, expected.count)
        XCTAssertTrue(live == expected, "the live merge differs from the file")
        for thread in threads { thread.join() }
        XCTAssertEqual(readers.map(\.pages), byCPU.map(\.pages.count))
        XCTAssertTrue(readers.allSatisfy { $0.failure == nil && $0.state().finished })
    }

    private func events(_ read: ((TraceEvent) throws -> Void) throws -> Void) throws -> [String] {
        var out: [String] = []
        try read { out.append("\($0.origin.line) \($0.timestamp ?? 0) \($0.cpu) \($0.pid) \($0.payload)") }
        return out
    }
}
