import XCTest
@testable import KernelLog

/// Where one report ends and the next begins.
final class ReportBoundaryTests: XCTestCase {
    func testPanicAfterOopsIsSameReport() throws {
        var text = String(decoding: try FixturePaths.bytes("dmesg/dmesg-lab-bug.txt"), as: UTF8.self)
        text += "[  155.210000] Kernel panic - not syncing: Fatal exception\n"
        text += "[  155.210001] Kernel Offset: 0x3a00000 from 0xffffffff81000000\n"
        text += "[  155.210002] ---[ end Kernel panic - not syncing: Fatal exception ]---\n"
        XCTAssertEqual(KernelLogParser().reports(in: text).map(\.title), ["kernel BUG in lab_bug_leaf"])
    }

    func testLonePanicIsAReport() {
        let reports = KernelLogParser().reports(in: "[    2.000000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b\n")
        XCTAssertEqual(reports.map(\.title), ["kernel panic: Attempted to kill init!"])
        XCTAssertEqual(reports.first?.kind, .panic)
    }

    func testKinds() {
        let cases: [(String, ReportKind)] = [
            ("KASAN: use-after-free Read in f", .kasan), ("possible deadlock in f", .lockdep),
            ("INFO: task hung in f", .hungTask), ("INFO: rcu detected stall in f", .rcuStall),
            ("general protection fault in f", .generalProtectionFault), ("kernel BUG in f", .kernelBug),
            ("WARNING in f", .warning), ("BUG: soft lockup in f", .softLockup), ("UBSAN: shift-out-of-bounds in f", .ubsan),
            ("memory leak in f", .memoryLeak), ("BUG: scheduling while atomic in f", .bug), ("invalid opcode in f", .oops),
        ]
        for (title, kind) in cases {
            XCTAssertEqual(ReportKind.classify(title: title, header: ""), kind, title)
        }
    }

    func testUnrelatedMessagesAreNotReports() {
        let log = """
        [    0.252388] Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/html/latest/admin-guide/hw-vuln/srso.html for mitigation options.
        [    1.000000] EXT4-fs (sda1): WARNING: mounting fs with errors
        [    2.000000] INFO: lockdep is turned off.
        [    3.000000] skb_panic: something
        """
        XCTAssertTrue(KernelLogParser().reports(in: log).isEmpty)
    }
}
