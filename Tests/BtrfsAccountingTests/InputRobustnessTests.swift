import Foundation
import XCTest
@testable import BtrfsAccounting
import TraceEvents
import TraceInput

final class InputRobustnessTests: XCTestCase {
    var temp: URL!

    override func setUpWithError() throws {
        temp = FileManager.default.temporaryDirectory.appendingPathComponent("dio-trace-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: temp) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = temp.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func inputError(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> InputError? {
        do {
            _ = try Analysis.run(paths: [path])
            XCTFail("expected an input error for \(path)", file: file, line: line)
        } catch let e as InputError {
            return e
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    func testMissingFileDirectoryEmptyAndGarbageAreInputErrors() throws {
        XCTAssertTrue(inputError(temp.appendingPathComponent("nope.txt").path)?.description.contains("nope.txt: cannot open") ?? false)
        XCTAssertTrue(inputError(temp.path)?.message.contains("directory") ?? false)
        XCTAssertTrue(inputError(try write("empty.txt", []))?.message.contains("empty") ?? false)
        var rng = SystemRandomNumberGenerator()
        let garbage = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let e = inputError(try write("garbage.bin", garbage))
        XCTAssertEqual(e?.line, 1)
        XCTAssertTrue(e?.message.contains("not a recognized trace") ?? false)
        XCTAssertNotNil(inputError(try write("readme.txt", Array("hello world\nthis is not a trace\n".utf8))))
    }

    /// Reading ahead on another thread delivers the same bytes, in order, whatever the read sizes.
    func testPrefetchingSourceDeliversTheSameBytes() throws {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for (chunk, depth) in [(4096, 1), (5000, 3), (1 << 20, 2)] {
            let source = PrefetchingSource(MemorySource(bytes: bytes, chunkSizes: [1, 77, 4093]), chunkSize: chunk, depth: depth)
            var out: [UInt8] = []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 3001, alignment: 8)
            defer { buffer.deallocate() }
            while true {
                let n = try source.read(into: buffer)
                if n == 0 { break }
                out += buffer.prefix(n)
            }
            XCTAssertEqual(out, bytes, "chunk \(chunk) depth \(depth)")
            XCTAssertEqual(try source.read(into: buffer), 0)
        }
        // Abandoned early: the reader thread stops cleanly.
        _ = PrefetchingSource(MemorySource(bytes: bytes), chunkSize: 4096, depth: 2)
    }

    /// A consumer that stops reading early drops the source: it is freed (its producer thread holds only
    /// the shared pipeline) and the producer, blocked on a full queue, is cancelled.
    func testPrefetchingSourceDroppedEarlyIsFreed() throws {
        let bytes = [UInt8](repeating: 0x41, count: 1 << 20)
        weak var dropped: PrefetchingSource?
        do {
            let source = PrefetchingSource(MemorySource(bytes: bytes), chunkSize: 4096, depth: 2)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 8)
            defer { buffer.deallocate() }
            XCTAssertEqual(try source.read(into: buffer), 100)
            dropped = source
        }
        XCTAssertNil(dropped, "the producer thread kept the source alive")
    }

    /// An empty ring buffer still prints the header: a trace with no events, not an error.
    func testHeaderOnlyTraceIsAnEmptyReport() throws {
        let header = "# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:2\n#\n#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n#              | |         |   |||||     |         |\n"
        let report = try Analysis.run(paths: [try write("empty-trace.txt", Array(header.utf8))])
        XCTAssertEqual(report.statistics.events, 0)
        XCTAssertEqual(report.statistics.lines, 6)
        XCTAssertTrue(report.findings.isEmpty)
        XCTAssertEqual(report.statistics.formats, ["ftrace"])
    }

    func testTruncatedGzipIsAnInputError() throws {
        let source = FixturePaths.path("kernel-6.1-qemu/dio-efault/ftrace.txt.gz")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
        let e = inputError(try write("cut.txt.gz", Array(bytes.prefix(bytes.count / 2))))
        XCTAssertTrue(e?.message.contains("gzip") ?? false, "\(String(describing: e))")
        let corrupt = Array(bytes.prefix(40)) + [UInt8](repeating: 0x55, count: 4000)
        XCTAssertTrue(inputError(try write("corrupt.txt.gz", corrupt))?.message.contains("gzip") ?? false)
    }

    func testCutLinesHugeLinesOverflowAndBackwardsTimestampsAreCounted() throws {
        let good = "              dd-22248 [001]   471.291068: btrfs_ordered_extent_add: 0fcf8427-9ad4-4ce5-b75e-e7710cafd5f1: root=5(FS_TREE) ino=258 file_offset=0 start=13893632 len=65536 disk_len=65536 truncated_len=18446744073709551615 bytes_left=65536 flags=0x12 compress_type=0 refs=1\n"
        let overflow = "              dd-22248 [001]   471.291069: btrfs_inode_mod_outstanding_extents: 0fcf8427-9ad4-4ce5-b75e-e7710cafd5f1: root=5(FS_TREE) ino=99999999999999999999999 mod=1\n"
        let backwards = "              dd-22248 [001]   470.000000: btrfs_inode_mod_outstanding_extents: 0fcf8427-9ad4-4ce5-b75e-e7710cafd5f1: root=5(FS_TREE) ino=258 mod=1\n"
        let huge = "              dd-22248 [001]   471.291070: btrfs_inode_mod_outstanding_extents: " + String(repeating: "x", count: 3 << 20) + "\n"
        let cut = "              dd-22248 [001]   471.291071: btrfs_ordered_extent_add: 0fcf8427-9ad4-4ce5-b75e-e7710cafd5f1: root=5(FS_TREE) ino=258 file_off"
        let text = "cpus=2\n" + good + overflow + backwards + huge + cut
        let report = try Analysis.run(paths: [try write("odd.txt", Array(text.utf8))])
        let s = report.statistics
        XCTAssertEqual(s.lines, 6)
        XCTAssertEqual(s.overlongLines, 1)
        XCTAssertEqual(s.unterminatedLines, 1)
        XCTAssertEqual(s.timestampsBackwards, 1)
        XCTAssertEqual(s.malformedLines, 3, "\(s.problems)") // overflow, overlong, cut
        XCTAssertEqual(s.problems.first { $0.kind == .malformed }?.line, 3)
        XCTAssertEqual(s.decodedEvents, 2)
    }

    /// Same input, same bytes, whatever the chunking or compression.
    func testChunkingAndGzipGiveIdenticalOutput() throws {
        let path = FixturePaths.path("kernel-6.1-qemu/dio-efault/trace-cmd-report.txt.gz")
        let reference = JSONReport.render(try Analysis.run(paths: [path]))
        // Decompressed bytes fed in random-sized reads through small buffers.
        let plain = try TraceInputOpener.open(path: path).0.readAll(chunkSize: 1 << 16)
        var rng = SystemRandomNumberGenerator()
        for chunkSize in [17, 4096, 65_537] {
            let sizes = (0..<64).map { _ in Int.random(in: 1...9000, using: &rng) }
            let report = try Analysis.run(source: MemorySource(bytes: plain, chunkSizes: sizes), name: path,
                                          format: .traceCmdReport, chunkSize: chunkSize)
            XCTAssertEqual(JSONReport.render(report), reference, "chunk size \(chunkSize)")
        }
        // Plain file on disk and a re-compressed copy.
        let plainPath = try write("plain.txt", plain)
        let plainReport = JSONReport.render(try Analysis.run(paths: [plainPath])).replacingOccurrences(of: plainPath, with: path)
        XCTAssertEqual(plainReport, reference)
        // Mapped and decoded in parallel blocks, with block boundaries every few lines.
        for blockSize in [1, 700, 65_536] {
            var options = AnalysisOptions()
            options.parallelBlockSize = blockSize
            let blocks = JSONReport.render(try Analysis.run(paths: [plainPath], options: options)).replacingOccurrences(of: plainPath, with: path)
            XCTAssertEqual(blocks, reference, "block size \(blockSize)")
        }
        var streamed = AnalysisOptions()
        streamed.allowMapping = false
        XCTAssertEqual(JSONReport.render(try Analysis.run(paths: [plainPath], options: streamed)).replacingOccurrences(of: plainPath, with: path), reference)
    }

    /// A block that starts with a bad line followed by a backwards timestamp lists its problems in
    /// line order, mapped or streamed (they came out in a different order before).
    func testProblemsAreInLineOrderWhateverTheBlocks() throws {
        let path = FixturePaths.path("kernel-6.1-qemu/dio-efault/ftrace.txt.gz")
        var lines = try TraceInputOpener.open(path: path).0.readAll().split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        // Every 300th event line: a malformed line, then the event again with an earlier time.
        var out: [[UInt8]] = []
        for (i, line) in lines.enumerated() {
            out.append(line)
            if i > 50 && i % 300 == 0, let text = String(bytes: line, encoding: .utf8), text.contains(": btrfs_") {
                out.append(Array("    garbage-1 [000] not a timestamp: nothing".utf8))
                out.append(Array(text.replacingOccurrences(of: "] ", with: "] ").replacingOccurrences(of: #"(\d+)\.(\d+):"#, with: "1.000001:", options: .regularExpression).utf8))
            }
        }
        lines = out
        let plainPath = try write("problems.txt", Array(lines.joined(separator: [0x0A])))
        var streamed = AnalysisOptions()
        streamed.allowMapping = false
        let reference = try Analysis.run(paths: [plainPath], options: streamed).statistics.problems
        XCTAssertGreaterThan(reference.count, 10)
        XCTAssertEqual(reference.map(\.line), reference.map(\.line).sorted())
        for blockSize in [1, 500, 4096, 65_536] {
            var options = AnalysisOptions()
            options.parallelBlockSize = blockSize
            let problems = try Analysis.run(paths: [plainPath], options: options).statistics.problems
            XCTAssertEqual(problems.map(\.line), reference.map(\.line), "block size \(blockSize)")
            XCTAssertEqual(problems.map(\.kind), reference.map(\.kind), "block size \(blockSize)")
        }
    }
}
