import XCTest
@testable import BtrfsAccounting
import TraceEvents

/// `KernelWarningLink` on the evictions and findings of real mutant captures (Fixtures/mutants)
/// and on reduced reports whose times are taken from them.
final class KernelWarningLinkTests: XCTestCase {
    func report(_ capture: String) throws -> AnalysisReport {
        try Analysis.run(paths: [FixturePaths.path(capture)])
    }

    func warning(_ title: String, at ns: UInt64?, pid: Int32?, comm: String? = "umount", line: Int = 1,
                 functions: Set<String> = ["btrfs_destroy_inode"], space: SpaceKind? = nil) -> KernelWarning {
        KernelWarning(title: title, file: "dmesg.txt", line: line, timestamp: ns, pid: pid, comm: comm, functions: functions, space: space)
    }

    /// Several warnings right after one eviction all go to that inode; the next eviction's to the next.
    func testWarningsGoToTheInodeEvictedJustBefore() throws {
        let base = try report("mutants/nocow-release-extents/ftrace.txt.gz")
        let evictions = base.evictions.filter { $0.event.task == "umount" && ($0.inode == 259 || $0.inode == 260) }
        XCTAssertEqual(evictions.count, 2)
        var warnings: [KernelWarning] = []
        for (n, e) in evictions.enumerated() {
            let t = try XCTUnwrap(e.event.timestamp)
            for k in 0..<3 { warnings.append(warning("WARNING in btrfs_destroy_inode", at: t + 1_000 + UInt64(k) * 500, pid: e.event.pid, line: 10 * n + k)) }
        }
        let linked = KernelWarningLink.link(warnings, into: base)
        for (n, e) in evictions.enumerated() {
            let lines = Set(linked.findings.filter { $0.inode == e.inode }.flatMap(\.reports).map(\.line))
            XCTAssertEqual(lines, Set((0..<3).map { 10 * n + $0 }), "inode \(e.inode)")
        }
        let gaps = linked.findings.flatMap(\.reports).map(\.reason)
        XCTAssertTrue(gaps.allSatisfy { $0.contains("ns after its btrfs_inode_evict") || $0.contains("µs after its btrfs_inode_evict") }, "\(gaps)")
    }

    /// With no finding on the evicted inode, the warning becomes an error finding on it with its
    /// direct-I/O history.
    func testAWarningTheTraceDoesNotExplainBecomesAnErrorOnTheInode() throws {
        var base = try report("mutants/efault-skip-meta/ftrace.txt.gz")
        base.findings.removeAll { $0.inode == 262 }
        let e = try XCTUnwrap(base.evictions.first { $0.inode == 262 && $0.event.task == "umount" })
        let t = try XCTUnwrap(e.event.timestamp)
        let linked = KernelWarningLink.link([warning("WARNING in btrfs_destroy_inode", at: t + 20_000, pid: e.event.pid)], into: base)
        let f = try XCTUnwrap(linked.findings.first { $0.inode == 262 })
        XCTAssertEqual(f.rule.id, "DIO060")
        XCTAssertEqual(f.severity, .error)
        XCTAssertEqual(f.reports.count, 1)
        XCTAssertFalse(e.history.isEmpty)
        XCTAssertTrue(f.message.contains("dio_efault"), f.message)
        XCTAssertEqual(f.events.last, e.event)
    }

    /// A warning from another task, or before the eviction, is not tied to it.
    func testOtherTaskOrEarlierWarningIsNotTied() throws {
        let base = try report("mutants/nocow-release-extents/ftrace.txt.gz")
        let e = try XCTUnwrap(base.evictions.first { $0.inode == 259 && $0.event.task == "umount" })
        let t = try XCTUnwrap(e.event.timestamp)
        let first = try XCTUnwrap(base.evictions.map { $0.event.timestamp ?? .max }.min())
        let linked = KernelWarningLink.link([
            warning("WARNING in btrfs_destroy_inode", at: t + 1_000, pid: e.event.pid &+ 1, comm: "other"),
            warning("WARNING in btrfs_destroy_inode", at: first - 1, pid: e.event.pid),
        ], into: base)
        XCTAssertEqual(linked.findings.flatMap(\.reports).count, 0)
        XCTAssertEqual(linked.findings.count, base.findings.count)
    }

    /// Space warnings at unmount go to the bytes_may_use finding of their type; one about a type
    /// the trace shows nothing for becomes a filesystem-wide DIO060.
    func testSpaceWarningsGoToTheirType() throws {
        let base = try report("mutants/efault-skip-meta/ftrace.txt.gz")
        let e = try XCTUnwrap(base.evictions.last { $0.event.task == "umount" })
        let t = try XCTUnwrap(e.event.timestamp)
        let linked = KernelWarningLink.link([
            warning("WARNING in check_removing_space_info", at: t + 1_000, pid: e.event.pid, line: 7, functions: ["check_removing_space_info"], space: .metadata),
            warning("WARNING in check_removing_space_info", at: t + 2_000, pid: e.event.pid, line: 8, functions: ["check_removing_space_info"], space: .data),
        ], into: base)
        let meta = try XCTUnwrap(linked.findings.first { $0.rule.id == "DIO020" && $0.message.hasPrefix("METADATA") })
        XCTAssertEqual(meta.reports.map(\.line), [7])
        let data = try XCTUnwrap(linked.findings.first { $0.rule.id == "DIO060" && $0.inode == nil })
        XCTAssertEqual(data.reports.map(\.line), [8])
        XCTAssertTrue(data.message.contains("DATA"))
    }
}
