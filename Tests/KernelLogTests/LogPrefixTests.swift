import Foundation
import XCTest
@testable import KernelLog

/// One WARNING written with the log prefixes of different tools.
final class LogPrefixTests: XCTestCase {
    static let body = [
        "------------[ cut here ]------------",
        "WARNING: CPU: 3 PID: 2769 at fs/btrfs/inode.c:8967 btrfs_destroy_inode+0x284/0x2a0 [btrfs]",
        "Modules linked in: btrfs(E) xor raid6_pq [last unloaded: xfs]",
        "CPU: 3 PID: 2769 Comm: umount Tainted: G        W  E  6.1.0 #31",
        "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2 04/01/2014",
        "RIP: 0010:btrfs_destroy_inode+0x284/0x2a0 [btrfs]",
        "RSP: 0018:ffffc900030dfc40 EFLAGS: 00010282",
        "Call Trace:",
        " <TASK>",
        " destroy_inode+0x3b/0x60",
        " ? evict+0x10/0x20",
        " dispose_list+0x4b/0x70",
        " </TASK>",
        "---[ end trace 0000000000000000 ]---",
    ]

    func check(_ lines: [String], file: StaticString = #filePath, line: UInt = #line) -> KernelReport? {
        let reports = KernelLogParser().reports(in: lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(reports.map(\.title), ["WARNING in btrfs_destroy_inode"], file: file, line: line)
        guard let report = reports.first else { return nil }
        XCTAssertEqual(report.location, SourceLocation(file: "fs/btrfs/inode.c", line: 8967), file: file, line: line)
        XCTAssertEqual(report.pid, 2769, file: file, line: line)
        XCTAssertEqual(report.comm, "umount", file: file, line: line)
        XCTAssertEqual(report.cpu, 3, file: file, line: line)
        XCTAssertEqual(report.taint, "G W E", file: file, line: line)
        XCTAssertEqual(report.kernelVersion, "6.1.0", file: file, line: line)
        XCTAssertEqual(report.modules, ["btrfs", "xor", "raid6_pq"], file: file, line: line)
        XCTAssertEqual(report.frames.map(\.function),
                       ["btrfs_destroy_inode", "destroy_inode", "evict", "dispose_list"], file: file, line: line)
        XCTAssertEqual(report.frames.map(\.reliable), [true, true, false, true], file: file, line: line)
        XCTAssertEqual(report.frames.first?.module, "btrfs", file: file, line: line)
        return report
    }

    func testPlain() {
        XCTAssertNil(check(Self.body)?.timestamp)
    }

    func testPrintkTimeAndLevel() {
        let report = check(Self.body.enumerated().map { "<4>[  399.86\(String(format: "%04d", $0.offset))] " + $0.element })
        XCTAssertEqual(report?.timestamp, KernelTimestamp(seconds: 399, nanoseconds: 860_001_000))
        XCTAssertEqual(report?.timestamp?.description, "399.860001")
    }

    func testBareSyslogLevel() {
        _ = check(Self.body.map { "<4>" + $0 })
    }

    func testConsoleCallerID() {
        let report = check(Self.body.map { "[  399.860119][ T2769] " + $0 })
        XCTAssertEqual(report?.caller, CallerID(kind: .task, id: 2769))
    }

    func testUtilLinuxCallerID() {
        let report = check(Self.body.map { "[  399.860119] [T2769] " + $0 })
        XCTAssertEqual(report?.caller, CallerID(kind: .task, id: 2769))
    }

    func testHumanTime() {
        XCTAssertNil(check(Self.body.map { "[Tue Nov 25 10:00:00 2025] " + $0 })?.timestamp)
    }

    func testJournalShort() {
        _ = check(Self.body.map { "Nov 25 10:00:00 buildhost kernel: " + $0 })
    }

    func testJournalShortMonotonic() {
        let report = check(Self.body.map { "[  123.456789] buildhost kernel: " + $0 })
        XCTAssertEqual(report?.timestamp?.seconds, 123)
    }

    func testRsyslogWithPrintkTime() {
        let report = check(Self.body.map { "Sep 23 02:31:17 syzkaller kernel: [   68.938106] " + $0 })
        XCTAssertEqual(report?.timestamp, KernelTimestamp(seconds: 68, nanoseconds: 938_106_000))
    }

    func testISOTime() {
        _ = check(Self.body.map { "2025-11-25T10:00:00,123456+01:00 " + $0 })
        _ = check(Self.body.map { "2025-11-25T10:00:00+0000 buildhost kernel: " + $0 })
    }

    func testCRLF() {
        let text = Self.body.map { "[    1.000000] " + $0 }.joined(separator: "\r\n") + "\r\n"
        XCTAssertEqual(KernelLogParser().reports(in: text).map(\.title), ["WARNING in btrfs_destroy_inode"])
    }

    /// Two tasks warn at the same time; their lines interleave but carry caller ids.
    func testInterleavedCallersAreSeparated() {
        var lines: [String] = []
        let other = Self.body.map {
            $0.replacingOccurrences(of: "btrfs_destroy_inode", with: "ext4_evict_inode")
                .replacingOccurrences(of: "2769", with: "3001").replacingOccurrences(of: "destroy_inode+", with: "iput+")
        }
        for index in Self.body.indices {
            lines.append("[  10.\(100000 + index)][ T2769] " + Self.body[index])
            lines.append("[  10.\(200000 + index)][ T3001] " + other[index])
        }
        let reports = KernelLogParser().reports(in: lines.joined(separator: "\n"))
        XCTAssertEqual(reports.map(\.title), ["WARNING in btrfs_destroy_inode", "WARNING in ext4_evict_inode"])
        XCTAssertEqual(reports.map(\.pid), [2769, 3001])
        XCTAssertEqual(reports.first?.frames.map(\.function), ["btrfs_destroy_inode", "destroy_inode", "evict", "dispose_list"])
        XCTAssertEqual(reports.last?.frames.map(\.function), ["ext4_evict_inode", "iput", "evict", "dispose_list"])
    }

    func testNewWarningFormat() {
        let log = """
        [  100.000001][ T5982] WARNING: fs/ext4/xattr.c:1058 at 0x0, CPU#0: syz.0.17/5982
        [  100.000002][ T5982] Modules linked in:
        [  100.000003][ T5982] CPU: 0 UID: 0 PID: 5982 Comm: syz.0.17 Not tainted 6.18.0-rc5 #0 PREEMPT(full)
        [  100.000004][ T5982] RIP: 0010:ext4_xattr_inode_update_ref+0x1d1/0x5a0
        [  100.000005][ T5982] Call Trace:
        [  100.000006][ T5982]  <TASK>
        [  100.000007][ T5982]  ext4_xattr_delete_inode+0x1a/0x30
        [  100.000008][ T5982]  </TASK>
        """
        let report = KernelLogParser().reports(in: log).first
        XCTAssertEqual(report?.title, "WARNING in ext4_xattr_inode_update_ref")
        XCTAssertEqual(report?.location, SourceLocation(file: "fs/ext4/xattr.c", line: 1058))
        XCTAssertEqual(report?.cpu, 0)
        XCTAssertEqual(report?.pid, 5982)
        XCTAssertEqual(report?.comm, "syz.0.17")
        XCTAssertEqual(report?.kernelVersion, "6.18.0-rc5")
        XCTAssertNil(report?.taint)
    }
}
