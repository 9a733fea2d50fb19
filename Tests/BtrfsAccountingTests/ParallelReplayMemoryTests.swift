import Foundation
import XCTest
@testable import BtrfsAccounting
import TraceEvents
import TraceInput

/// The block replay gives the mapped text back behind it (issue 11: peak RSS at any trace size)
/// and counts each applied block for the progress line while it runs.
final class ParallelReplayMemoryTests: XCTestCase {
    /// Resident kilobytes of the mapping that starts at `base` (`/proc/self/smaps`).
    func residentKB(ofMappingAt base: UnsafeRawPointer) throws -> Int {
        let start = String(UInt(bitPattern: base), radix: 16)
        // Read to the end (proc files have no size to read by).
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), line[..<dash].allSatisfy(\.isHexDigit) {
                inMapping = line[..<dash].drop { $0 == "0" } == start.drop { $0 == "0" }
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1]) ?? -1
            }
        }
        return -1
    }

    func testBlocksAreCountedAndTheirTextReleasedBehind() throws {
        let source = FixturePaths.path("cases/k6.1-dio-splice/ftrace.txt.gz")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: source), "fixture missing")
        let text = try InputOpener.open(path: source).readAll()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dio-trace-replay-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: path) }
        // About 39 MB: twenty blocks of 2 MB and more.
        var data = Data()
        for _ in 0..<3 { data.append(contentsOf: text) }
        try data.write(to: path)
        let mapped = try XCTUnwrap(MappedFile(path: path.path))
        let base = try XCTUnwrap(mapped.bytes.baseAddress)

        let counter = ProgressCounter()
        var ledger = Ledger(fileNames: [path.path])
        var statistics = TraceStatistics()
        try ParallelReplay.run(mapped.bytes, fileIndex: 0, name: path.path, format: .ftrace,
                               progress: counter, ledger: &ledger, statistics: &statistics)
        // Every applied block counts its bytes (the progress line moved only at the end when
        // blocks did not know their range).
        XCTAssertEqual(counter.snapshot.bytes, mapped.bytes.count)
        XCTAssertEqual(statistics.bytes, UInt64(mapped.bytes.count))
        // Nothing of the text stays mapped once it is replayed: the last release covers what the
        // workers' boundary searches and the kernel's fault-around mapped again behind the scan.
        let resident = try residentKB(ofMappingAt: base)
        XCTAssertGreaterThanOrEqual(resident, 0)
        XCTAssertLessThanOrEqual(resident, 256, "KB of the \(mapped.bytes.count >> 20) MB text still mapped after the replay")
    }
}
