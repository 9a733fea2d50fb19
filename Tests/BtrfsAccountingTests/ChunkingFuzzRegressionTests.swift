import Foundation
import XCTest
import BtrfsAccounting
import TraceEvents
import TraceInput

/// Replays the reproducers the Fuzz/ target `chunking` found (Fuzz/regressions/chunking/) the way
/// the target runs them: byte 0 picks the parallel block size (16 + 16·b), byte 1 the read chunk
/// size (16 + 3·b), the rest is the trace. Mapped, streamed and in-memory reads must give the same
/// report bytes.
final class ChunkingFuzzRegressionTests: XCTestCase {
    func testEveryChunkingReproducerReadsTheSameMappedAndStreamed() throws {
        let directory = FixturePaths.root.appendingPathComponent("Fuzz/regressions/chunking").path
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertFalse(names.isEmpty, "no reproducers in \(directory)")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chunking-regression-\(getpid()).txt").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for name in names {
            let input = try XCTUnwrap(FileManager.default.contents(atPath: directory + "/" + name))
            guard input.count > 2 else { continue }
            let blockSize = 16 + Int(input[input.startIndex]) * 16
            let chunkSize = 16 + Int(input[input.startIndex + 1]) * 3
            let body = Array(input.dropFirst(2))
            var format = TraceFormat.sniff(Array(body.prefix(64 * 1024))) ?? .ftrace
            if format == .traceDat { format = .ftrace }
            FileManager.default.createFile(atPath: scratch, contents: Data(body))
            var mapped = AnalysisOptions(formatOverride: format, allowMapping: true)
            mapped.parallelBlockSize = blockSize
            let streamed = AnalysisOptions(formatOverride: format, chunkSize: chunkSize, allowMapping: false)
            let reference = JSONReport.render(try Analysis.run(paths: [scratch], options: streamed))
            XCTAssertEqual(JSONReport.render(try Analysis.run(paths: [scratch], options: mapped)), reference,
                           "\(name): mapped with \(blockSize)-byte blocks differs from streamed")
            let memory = try Analysis.run(source: MemorySource(bytes: body, name: scratch, chunkSizes: [1, 7, 64]),
                                          name: scratch, format: format, chunkSize: chunkSize)
            XCTAssertEqual(JSONReport.render(memory), reference, "\(name): in-memory read differs from streamed")
        }
    }

    /// A line that is both the unterminated last line and a backwards timestamp: mapped, the
    /// backwards check runs across the block boundary after the block's own problems were
    /// listed; both problems now come out in kind order either way.
    func testTwoProblemsOfOneLineKeepOneOrder() throws {
        let text = "  fio-1 [000] 2.000000: btrfs_inode_new: x\n  fio-1 [000] 1.000000: btrfs_inode_new: x"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("two-problems-\(getpid()).txt").path
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var mapped = AnalysisOptions(formatOverride: .ftrace, allowMapping: true)
        mapped.parallelBlockSize = 16
        let streamed = AnalysisOptions(formatOverride: .ftrace, allowMapping: false)
        let a = try Analysis.run(paths: [path], options: mapped).statistics.problems
        let b = try Analysis.run(paths: [path], options: streamed).statistics.problems
        XCTAssertEqual(a.map(\.kind), b.map(\.kind))
        XCTAssertEqual(a.filter { $0.line == 2 }.map(\.kind), [.malformed, .unterminated, .timestampBackwards])
    }
}
