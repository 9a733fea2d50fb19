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

    // MARK: - Forms met in real pastes (../shared/corpora/wild-kernel-inputs/dmesg)

    /// `dmesg --reltime` / `-H`: a `[Nov25 10:00]` line opens each minute, the others carry deltas with a
    /// dot or (in a comma locale, btrfs-raid-hung-transaction.txt) a comma.
    func testRelativeTimeDeltas() {
        for separator in [".", ","] {
            let lines = Self.body.enumerated().map { index, line in
                (index == 0 ? "[Nov25 10:00] " : "[  +0\(separator)0000\(index)8] ") + line
            }
            let report = check(lines)
            XCTAssertNil(report?.timestamp, "deltas are not times since boot")
        }
        _ = check(Self.body.map { "[Jun 3 12:08] " + $0 })
    }

    /// `[   13.073692] kernel: BUG: …` (journalctl -k -o short-monotonic without a host; btrfs-kyber-bio-merge-oops.txt).
    func testKernelTagAfterTimestamp() {
        let report = check(Self.body.map { "[   13.073692] kernel: " + $0 })
        XCTAssertEqual(report?.timestamp?.seconds, 13)
    }

    /// journalctl -k -o short-precise and -o cat.
    func testJournalShortPreciseAndCat() {
        _ = check(Self.body.map { "Nov 25 10:00:00.123456 buildhost kernel: " + $0 })
        _ = check(Self.body)
    }

    /// A log quoted in a mail reply (`> `, `>> `) or indented in a commit message.
    func testQuotedAndIndentedCopies() {
        let quoted = check(Self.body.map { "> [  399.860119] " + $0 })
        XCTAssertEqual(quoted?.timestamp?.seconds, 399)
        _ = check(Self.body.map { ">> > [  399.860119] " + $0 })
        _ = check(Self.body.map { "    [  399.860119] " + $0 })
        _ = check(Self.body.map { "    " + $0 })
    }

    /// decode_stacktrace.sh output: `func (file:line file:line) module` (older script) and
    /// `func+0x1/0x2 (file:line) [module]`, inline chains kept as printed, innermost first.
    func testDecodeStacktraceOutput() {
        let log = """
        [ 1853.411355] BUG: kernel NULL pointer dereference, address: 0000000000000cec
        [ 1853.431718] Oops: 0000 [#1] SMP NOPTI
        [ 1853.436714] CPU: 9 PID: 88073 Comm: kworker/u81:5 Not tainted 5.15.59-3.el7.x86_64 #1
        [ 1853.459728] RIP: 0010:rbio_add_bio (linux-5.15.59/fs/btrfs/raid56.c:1747) btrfs
        [ 1853.555726] Call Trace:
        [ 1853.560714]  <TASK>
        [ 1853.560714] raid56_parity_recover (linux/fs/btrfs/raid56.c:1385 linux/fs/btrfs/raid56.c:2181) btrfs
        [ 1853.588715] ? put_prev_task_fair (linux/kernel/sched/fair.c:7430 (discriminator 2))
        [ 1853.598715] btrfs_work_helper+0xe3/0x330 (fs/btrfs/async-thread.c:325) [btrfs]
        [ 1853.603717] process_one_work (linux/kernel/workqueue.c:2306)
        [ 1853.631717]  </TASK>
        """
        let report = KernelLogParser().reports(in: log).first
        XCTAssertEqual(report?.title, "BUG: unable to handle kernel NULL pointer dereference in rbio_add_bio")
        let frames = report?.frames ?? []
        XCTAssertEqual(frames.map(\.function), ["rbio_add_bio", "raid56_parity_recover", "put_prev_task_fair",
                                                "btrfs_work_helper", "process_one_work"])
        XCTAssertEqual(frames.map(\.module), ["btrfs", "btrfs", nil, "btrfs", nil])
        XCTAssertEqual(frames[1].printedLocation, SourceLocation(file: "linux/fs/btrfs/raid56.c", line: 2181))
        XCTAssertEqual(frames[1].printedInline, [InlineEntry(function: "??", file: "linux/fs/btrfs/raid56.c", line: 1385)])
        XCTAssertEqual(frames[2].printedLocation, SourceLocation(file: "linux/kernel/sched/fair.c", line: 7430))
        XCTAssertFalse(frames[2].reliable)
        XCTAssertEqual(frames[3].offset, 0xe3)
        XCTAssertEqual(frames[3].printedLocation, SourceLocation(file: "fs/btrfs/async-thread.c", line: 325))
        XCTAssertTrue(frames[0].isTrapPC)
    }

    /// `INFO:` opens a report only in the kernel's own forms.
    func testInfoLinesOutsideKernelReportsAreNotReports() {
        let noise = """
        [  163.275818] tst_fill_fs.c:49: INFO: write(): ENOSPC (28)
        [    3.800240] [drm] RAS INFO: ras initialized successfully, hardware ability[0] ras_mask[0]
        # INFO: DirectIO Enabled
        [  124.545178] INFO: creating /lkp/benchmarks/ltp/output directory
        [  168.992197] INFO: ltp-pan reported all tests PASS
        """
        XCTAssertEqual(KernelLogParser().reports(in: noise).map(\.title), [])
        let hung = "[  120.0] INFO: task btrfs-transacti:949 blocked for more than 120 seconds.\n[  120.1] Call Trace:\n"
            + "[  120.2]  schedule+0x40/0xb0\n[  120.3]  btrfs_commit_transaction+0x754/0xa40 [btrfs]\n"
        XCTAssertEqual(KernelLogParser().reports(in: hung).map(\.title), ["INFO: task hung in btrfs_commit_transaction"])
        let stall = "[ 48962.981257] rcu: INFO: rcu_sched self-detected stall on CPU\n"
        XCTAssertEqual(KernelLogParser().reports(in: stall).map(\.kind), [.rcuStall])
    }

    /// A serial console from boot: decompressor lines, then "Booting the kernel." is no reboot; a boot after
    /// kernel messages is.
    func testBootingTheKernel() {
        let boot = "early console in setup code\nDecompressing Linux... Parsing ELF... done.\nBooting the kernel.\n"
            + "[    0.000000] Linux version 5.15.0\n"
        XCTAssertEqual(KernelLogParser().reports(in: boot).map(\.title), [])
        let reboot = "[  100.000000] some message\nBooting the kernel.\n[    0.000000] Linux version 5.15.0\n"
        XCTAssertEqual(KernelLogParser().reports(in: reboot).map(\.title), ["unexpected kernel reboot"])
        // A fuzzer's console: its program's output, then the machine restarts (firmware, decompressor).
        let restart = "tkill(r8, 0x13)\nSeaBIOS (version 1.8.2)\nBooting from Hard Disk 0...\n"
            + "Decompressing Linux... Parsing ELF... done.\nBooting the kernel.\n[    0.000000] Linux version 4.15.0\n"
        XCTAssertEqual(KernelLogParser().reports(in: restart).map(\.title), ["unexpected kernel reboot"])
        XCTAssertEqual(KernelLogParser().firstReport(in: Array(restart.utf8))?.title, "unexpected kernel reboot")
        XCTAssertNil(KernelLogParser().firstReport(in: Array(("\n" + boot).utf8)))
    }

    /// A WARNING whose call trace was trimmed by the poster takes the function from its header.
    func testTrimmedWarningTakesHeaderFunction() throws {
        let log = " WARNING: CPU: 2 PID: 4528 at fs/btrfs/inode.c:8653 btrfs_destroy_inode+0x1e0/0x200 [btrfs]\n"
        let report = try XCTUnwrap(KernelLogParser().reports(in: log).first)
        XCTAssertEqual(report.title, "WARNING in btrfs_destroy_inode")
        XCTAssertEqual(report.titleSource, .header)
        XCTAssertEqual(report.syzkallerTitle, "WARNING in corrupted")
        XCTAssertEqual(report.guiltyFrame, "btrfs_destroy_inode")
        XCTAssertTrue(JSONRenderer.render([report]).contains(#""title_source":"header""#))
    }
}
