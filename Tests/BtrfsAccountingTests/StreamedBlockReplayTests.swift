import Foundation
import XCTest
import BtrfsAccounting
import TraceEvents
import TraceInput

/// Streamed text (gzip, pipes) decoded in blocks on all cores (`ParallelReplay.run(stream:)`)
/// must give the report the one-thread reader gives, whatever the block size and however the
/// source splits its reads; lines longer than the limit, a last line without newline and a
/// source that fails part-way are handled as a mapped file handles them.
final class StreamedBlockReplayTests: XCTestCase {
    static let traces = ["kernel-6.1-qemu/dio-efault/ftrace.txt.gz", "kernel-6.1-qemu/dio-efault/trace-cmd-report.txt.gz",
                         "cases/k6.18-xfstests-generic130/trace.txt.gz", "cases/k6.18-perf-script/perf-script.txt",
                         "kernel-6.18-samples/ftrace-k6.18-latency.txt", "kernel-6.18-samples/ftrace-k6.18-tgid.txt",
                         "synthetic/seed-4.2-generic-095/trace.txt", "mutants/efault-skip-release/ftrace.txt.gz"]

    func testBlocksGiveTheOneThreadReportOnBundledTraces() throws {
        var rng = SystemRandomNumberGenerator()
        var compared = 0
        for rel in Self.traces {
            let path = FixturePaths.path(rel)
            guard FileManager.default.fileExists(atPath: path) else { XCTFail("missing \(rel)"); continue }
            let (opened, format) = try TraceInputOpener.open(path: path)
            let bytes = try opened.readAll(chunkSize: 1 << 16)
            let reference = JSONReport.render(try Analysis.run(source: MemorySource(bytes: bytes, name: rel), name: rel, format: format))
            // Blocks of a line or a few on the small traces; the large ones (10-14 MB) in blocks
            // of 64 KB and of the default 2 MB.
            let blockSizes = bytes.count > 2 << 20 ? [65_536, ParallelReplay.defaultBlockSize] : [1, 700, 65_536, ParallelReplay.defaultBlockSize]
            for blockSize in blockSizes {
                let sizes = (0..<32).map { _ in Int.random(in: 1...70_000, using: &rng) }
                let report = try Analysis.run(source: MemorySource(bytes: bytes, name: rel, chunkSizes: sizes), name: rel, format: format,
                                              chunkSize: blockSize == 1 ? 97 : 1 << 20, blockSize: blockSize)
                XCTAssertEqual(JSONReport.render(report), reference, "\(rel), blocks of \(blockSize)")
                compared += 1
            }
        }
        XCTAssertEqual(compared, (Self.traces.count - 2) * 4 + 2 * 2)
    }

    /// What `analyze` does with a gzip file: the streamed blocks, equal to the one-thread reader.
    func testGzipFileThroughRunPaths() throws {
        let path = FixturePaths.path("cases/k6.18-xfstests-generic130/trace.txt.gz")
        var sequential = AnalysisOptions()
        sequential.streamedBlocks = false
        var blocks = AnalysisOptions()
        blocks.streamedBlocks = true
        blocks.parallelBlockSize = 10_000
        XCTAssertEqual(JSONReport.render(try Analysis.run(paths: [path], options: blocks)),
                       JSONReport.render(try Analysis.run(paths: [path], options: sequential)))
    }

    /// Overlong lines (mid-block, at a block's start, longer than a block buffer, ending in `\r`,
    /// unterminated at the end), a line of exactly the limit plus `\r`: counted as the mapped
    /// framing counts them.
    func testOverlongAndUnterminatedLinesAsMapped() throws {
        let limit = 1 << 20
        let event = "  dd-1 [000] 1.000001: btrfs_inode_mod_outstanding_extents: 0fcf8427-9ad4-4ce5-b75e-e7710cafd5f1: root=5(FS_TREE) ino=258 mod=1\n"
        func long(_ n: Int, _ end: String) -> String { "  dd-1 [000] 1.000002: btrfs_inode_new: " + String(repeating: "y", count: n) + end }
        let text = event + long(limit + 500_000, "\n") + event + long(limit - 40, "\r\n") + event + long(limit + 3, "\r\n")
            + long(2 * limit, "\n") + long(3 * limit, "\r\n") + event + long(5 * limit, "\r\n") + event + long(limit + 100, "\r")
        let bytes = Array(text.utf8)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("overlong-\(getpid()).txt").path
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let mapped = try Analysis.run(paths: [file], options: AnalysisOptions(formatOverride: .ftrace))
        XCTAssertEqual(mapped.statistics.overlongLines, 6)
        XCTAssertEqual(mapped.statistics.lines, 12)
        let reference = JSONReport.render(mapped)
        for (blockSize, chunks) in [(ParallelReplay.defaultBlockSize, [1 << 20]), (4096, [333, 70_001]), (1, [1 << 20]), (3 << 20, [5])] {
            guard chunks != [5] || blockSize == 3 << 20 else { continue }
            let report = try Analysis.run(source: MemorySource(bytes: bytes, name: file, chunkSizes: chunks), name: file, format: .ftrace,
                                          chunkSize: 1 << 20, blockSize: blockSize)
            XCTAssertEqual(JSONReport.render(report), reference, "blocks of \(blockSize), reads of \(chunks)")
        }
    }

    /// A source that fails after `limit` bytes.
    final class FailingSource: ByteSource {
        let name = "failing"
        let bytes: [UInt8]
        let limit: Int
        var position = 0
        init(_ bytes: [UInt8], failAfter limit: Int) { self.bytes = bytes; self.limit = limit }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
            if position >= limit { throw InputError(file: name, message: "corrupt gzip stream: test failure") }
            let n = min(buffer.count, limit - position, 5000)
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[position..<position + n])) }
            position += n
            return n
        }
    }

    func testASourceThatFailsIsAnErrorAfterItsBlocks() throws {
        let path = FixturePaths.path("kernel-6.1-qemu/dio-efault/ftrace.txt.gz")
        let bytes = try TraceInputOpener.open(path: path).0.readAll()
        for (limit, blockSize) in [(bytes.count / 2, 4096), (100, 1), (bytes.count - 10, ParallelReplay.defaultBlockSize)] {
            XCTAssertThrowsError(try Analysis.run(source: FailingSource(bytes, failAfter: limit), name: "failing", format: .ftrace,
                                                  chunkSize: 1 << 16, blockSize: blockSize)) { error in
                XCTAssertEqual((error as? InputError)?.message, "corrupt gzip stream: test failure")
            }
        }
    }

    func testEmptyAndNewlineOnlyInputs() throws {
        for text in ["", "\n", "\n\n\n", "no newline at all"] {
            let bytes = Array(text.utf8)
            let reference = JSONReport.render(try Analysis.run(source: MemorySource(bytes: bytes), name: "m", format: .ftrace))
            for blockSize in [1, 2, 1 << 20] {
                let report = try Analysis.run(source: MemorySource(bytes: bytes, chunkSizes: [1]), name: "m", format: .ftrace,
                                              chunkSize: 1, blockSize: blockSize)
                XCTAssertEqual(JSONReport.render(report), reference, "\(text.debugDescription), blocks of \(blockSize)")
            }
        }
    }
}
