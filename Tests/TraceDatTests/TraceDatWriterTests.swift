import Foundation
@testable import TraceDat
import TraceEvents
import XCTest

/// `TraceDatWriter` rewrites the committed v6 capture from its parts: our reader and
/// `trace-cmd report` read the same events from the copy as from the original.
final class TraceDatWriterTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// The kernel's `events/header_page` and `events/header_event` (64-bit, 4 KiB pages).
    static let headerPage = """
        \tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;
        \tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;
        \tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;
        \tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;

        """
    static let headerEvent = """
        # compressed entry header
        \ttype_len    :    5 bits
        \ttime_delta  :   27 bits
        \tarray       :   32 bits

        \tpadding     : type == 29
        \ttime_extend : type == 30
        \ttime_stamp : type == 31
        \tdata max type_len  == 28

        """

    func testRewrittenV6CaptureReadsLikeTheOriginal() throws {
        let (original, copy, contents, size) = try rewriteFixture { _ in "entries: 0\noverrun: 0\n" }
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: copy.path)[.size] as? Int, size)
        let (expected, _) = try binaryEvents(original)
        let (written, reader) = try binaryEvents(copy)
        XCTAssertGreaterThan(written.count, 100)
        assertSameEvents(written, expected, "rewritten v6")
        XCTAssertEqual(reader.uname, contents.uname)
        XCTAssertEqual(reader.statisticsLossByCPU, [:])
        try assertTraceCmdReadsLikeOriginal(original, copy)
    }

    /// The CPUSTAT options count events the pages do not report (dropped with overwrite off,
    /// commit overruns): the reader gives them per CPU, as `record` counted them live.
    func testCPUStatisticsLossesAreRead() throws {
        let (_, copy, _, _) = try rewriteFixture { cpu in
            cpu == 0 ? "entries: 10\noverrun: 3\ncommit overrun: 2\nbytes: 4096\ndropped events: 7\nread events: 99\n" : "entries: 1\noverrun: 0\n"
        }
        let (_, reader) = try binaryEvents(copy)
        XCTAssertEqual(reader.statisticsLossByCPU, [0: 12])
    }

    private func rewriteFixture(statistics: (Int) -> String) throws -> (URL, URL, TraceDatContents, Int) {
        let original = scratch.appendingPathComponent("original.dat")
        try runTool(["gzip", "-dc", Fixtures.directory.appendingPathComponent("k6.1-dio-efault.v6.dat.gz").path], stdout: original)
        let bytes = try [UInt8](Data(contentsOf: original))
        let contents = try bytes.withUnsafeBytes { raw -> TraceDatContents in
            let layout = try TraceDatLayout(file: raw)
            var ftrace: [[UInt8]] = []
            var systems: [(system: String, formats: [[UInt8]])] = []
            for id in layout.formats.keys.sorted() {
                guard let format = layout.formats[id] else { continue }
                let text = Array(format.text)
                if format.system == "ftrace" {
                    ftrace.append(text)
                } else if let i = systems.firstIndex(where: { $0.system == format.system }) {
                    systems[i].formats.append(text)
                } else {
                    systems.append((format.system, [text]))
                }
            }
            var cpus: [TraceDatContents.CPUData] = []
            for cpu in try XCTUnwrap(layout.buffers.first).cpus {
                guard cpu.size > 0 else { cpus.append(.init(cpu: Int(cpu.cpu), path: nil)); continue }
                let path = scratch.appendingPathComponent("cpu\(cpu.cpu).raw")
                try Data(raw[cpu.offset..<cpu.offset + cpu.size]).write(to: path)
                cpus.append(.init(cpu: Int(cpu.cpu), path: path.path))
            }
            return TraceDatContents(
                headerPage: Array(Self.headerPage.utf8), headerEvent: Array(Self.headerEvent.utf8), ftraceFormats: ftrace,
                eventFormats: systems, kallsyms: layout.kallsyms.map(Array.init) ?? [], printkFormats: [],
                savedCommandLines: layout.cmdlines.map(Array.init) ?? [], uname: layout.uname,
                cpuStatistics: cpus.map { ($0.cpu, statistics($0.cpu)) }, pageSize: layout.pageSize, cpus: cpus)
        }
        let copy = scratch.appendingPathComponent("copy.dat")
        let size = try TraceDatWriter.write(contents, to: copy.path)
        return (original, copy, contents, size)
    }

    private func assertTraceCmdReadsLikeOriginal(_ original: URL, _ copy: URL) throws {
        let (written, _) = try binaryEvents(copy)
        let report = scratch.appendingPathComponent("copy.txt")
        try runTool(["trace-cmd", "report", "-i", copy.path], stdout: report)
        let (text, _) = try textEvents(report.path)
        assertSameEvents(written, text, "rewritten v6 vs trace-cmd report")
    }

    func testEveryCPUsDataStartsOnAPage() {
        XCTAssertEqual(TraceDatWriter.aligned(0, 4096), 0)
        XCTAssertEqual(TraceDatWriter.aligned(1, 4096), 4096)
        XCTAssertEqual(TraceDatWriter.aligned(8192, 4096), 8192)
    }

    func testUnwritablePathIsAnError() {
        let contents = TraceDatContents(headerPage: [], headerEvent: [], ftraceFormats: [], eventFormats: [], kallsyms: [],
                                        printkFormats: [], savedCommandLines: [], uname: nil, cpuStatistics: [],
                                        pageSize: 4096, cpus: [])
        XCTAssertThrowsError(try TraceDatWriter.write(contents, to: "/nonexistent/dir/x.dat")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/dir/x.dat"), "\(error)")
        }
    }
}
