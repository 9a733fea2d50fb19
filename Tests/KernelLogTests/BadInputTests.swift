import XCTest
@testable import KernelLog

/// Hostile input must never trap; parsing returns something sensible or nothing.
final class BadInputTests: XCTestCase {
    let parser = KernelLogParser()

    func testEmptyAndGarbage() {
        XCTAssertTrue(parser.reports(in: [UInt8]()).isEmpty)
        XCTAssertTrue(parser.reports(in: "\n\n\r\n").isEmpty)
        XCTAssertTrue(parser.reports(in: "lorem ipsum [ 1.0] ] ] [<>] +0x/0x <IRQ> </ ").isEmpty)
    }

    func testBinaryBytes() {
        var generator = SplitMix(seed: 42)
        var bytes = (0..<200_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        XCTAssertTrue(parser.reports(in: bytes).count < 100)
        // Binary noise around a real header still gives a report, and invalid UTF-8 does not break titles.
        bytes += Array("\n[ 1.000000] WARNING: CPU: 0 PID: 1 at fs/x.c:1 foo+0x1/0x2\n[ 1.000001] RIP: 0010:\u{FF}foo+0x1/0x2\n".utf8)
        bytes += [0xFF, 0xFE, 0x00, 0x0A, 0xC3, 0x0A]
        let reports = parser.reports(in: bytes)
        XCTAssertFalse(reports.isEmpty)
        XCTAssertTrue(reports.last?.title.hasPrefix("WARNING") ?? false)
        _ = JSONRenderer.render(reports)
        _ = TextRenderer.render(reports)
    }

    func testTruncatedReportIsCorrupted() {
        let log = """
        [  10.000000] BUG: KASAN: use-after-free in btrfs_evict_inode+0x1/0x2
        [  10.000001] Read of size 8 at addr ffff8880 by task a/1
        [  10.000002] Call Trace:
        """
        let report = parser.reports(in: log).first
        XCTAssertEqual(report?.corrupted, true)
        XCTAssertNotNil(report?.corruptionReason)
        let cut = parser.reports(in: "[ 1.0] WARNING: CPU: 0 PID: 1 at fs/btrfs/inode.c:10 foo+0x1/0x2")
        // No RIP line and no call trace: syzkaller names such a report "… in corrupted"; the header names foo.
        XCTAssertEqual(cut.first?.syzkallerTitle, "WARNING in corrupted")
        XCTAssertEqual(cut.first?.title, "WARNING in foo")
        XCTAssertEqual(cut.first?.titleSource, .header)
        XCTAssertEqual(cut.first?.corrupted, true)
        XCTAssertEqual(cut.first?.location, SourceLocation(file: "fs/btrfs/inode.c", line: 10))
        XCTAssertEqual(parser.reports(in: "[ 1.0] WARNING:\n").first?.title, "WARNING: corrupted")
    }

    func testAbsurdOffsetsAndOverflow() {
        let log = """
        [ 99999999999999999999999.999999999999] WARNING: CPU: 99999999999999999999 PID: -1 at fs/a.c:99999999999999999999 f+0xffffffffffffffff/0x0
        [ 1.0] RIP: 0010:f+0xffffffffffffffff/0x0
        [ 1.0] RAX: fffffffffffffffffffffffff RBX: ffffffffffffffff
        [ 1.0] Call Trace:
        [ 1.0]  [<fffffffffffffffffffffffff>] g+0x1ffffffffffffffff/0x10000000000000000 [mod ffffffffffffffffffffffffffffffffffffffffffff]
        [ 1.0]  h+0x0/0x0
        """
        let reports = parser.reports(in: log)
        XCTAssertEqual(reports.count, 1)
        let report = reports[0]
        XCTAssertEqual(report.timestamp?.seconds, UInt64.max)
        XCTAssertNil(report.timestamp?.totalNanoseconds)
        XCTAssertNil(report.cpu)
        XCTAssertEqual(report.instructionPointer?.offset, 0xffffffffffffffff)
        XCTAssertEqual(report.instructionPointer?.size, 0)
        let g = report.frames.first { $0.function == "g" }
        XCTAssertNotNil(g)
        XCTAssertNil(g?.address)
        XCTAssertNil(g?.offset)
        XCTAssertNil(g?.size)
        XCTAssertEqual(report.registers.map(\.name), ["RBX"])
        XCTAssertTrue(JSONRenderer.render(reports).contains("\"offset\":\"0xffffffffffffffff\""))
    }

    func testHugeLines() {
        let huge = String(repeating: "A", count: 3_000_000)
        var log = "[ 1.0] WARNING: CPU: 0 PID: 1 at fs/a.c:1 foo+0x1/0x2 " + huge + "\n"
        log += "[ 1.1] " + String(repeating: "bar+0x1/0x2 ", count: 200_000) + "\n"
        log += "[ 1.2] RIP: 0010:foo+0x1/0x2\n[ 1.3] Call Trace:\n[ 1.4]  a+0x1/0x2\n[ 1.5]  b+0x1/0x2\n[ 1.6]  c+0x1/0x2\n"
        log += String(repeating: "Z", count: 1_000_000) + "\n"
        let reports = parser.reports(in: log)
        XCTAssertEqual(reports.first?.title, "WARNING in foo")
        XCTAssertLessThanOrEqual(reports.first?.title.utf8.count ?? 0, 120)
    }

    func testManyHeaders() {
        // Every line a header: work per report stays bounded.
        let log = (0..<1000).map { "[ \($0).0] WARNING: CPU: 0 PID: \($0) at fs/a.c:\($0) f\($0)+0x1/0x2" }.joined(separator: "\n")
        let reports = parser.reports(in: log)
        XCTAssertEqual(reports.count, 1000)
        XCTAssertEqual(reports[7].syzkallerTitle, "WARNING in corrupted")
        XCTAssertEqual(reports[7].title, "WARNING in f7")
        XCTAssertEqual(reports[7].pid, 7)
        XCTAssertEqual(reports[7].location, SourceLocation(file: "fs/a.c", line: 7))
    }

    func testFuzzedReportsNeverTrap() throws {
        let seed = try FixturePaths.bytes("dmesg/dmesg-lab-bug.txt")
        var generator = SplitMix(seed: 7)
        for _ in 0..<200 {
            var bytes = seed
            for _ in 0..<20 {
                let index = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 4 {
                case 0: bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: index)
                case 2: bytes.insert(UInt8(ascii: "]"), at: index)
                default: bytes = Array(bytes[..<index])
                }
                if bytes.isEmpty { bytes = [0] }
            }
            let reports = parser.reports(in: bytes)
            _ = JSONRenderer.render(reports)
            _ = parser.decode(bytes)
        }
    }
}

/// Deterministic pseudo-random numbers for fuzz-style tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
