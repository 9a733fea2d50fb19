import XCTest
@testable import KernelLog

/// Real captures (Fixtures/dmesg, see its README). Expectations were read off the log text by hand.
final class RealLogTests: XCTestCase {
    let parser = KernelLogParser()

    func reports(_ name: String) throws -> [KernelReport] {
        parser.reports(in: try FixturePaths.bytes("dmesg/" + name))
    }

    func testModuleWarningsWithTimestamps() throws {
        let found = try reports("dmesg-lab-warn.txt")
        XCTAssertEqual(found.map(\.title), ["WARNING in lab_evict_inode", "WARNING in lab_check_reservation"])
        let first = try XCTUnwrap(found.first)
        XCTAssertEqual(first.kind, .warning)
        XCTAssertEqual(first.guiltyFrame, "lab_evict_inode")
        XCTAssertEqual(first.location, SourceLocation(file: "/tmp/mod/lab_warn.c", line: 24))
        XCTAssertEqual(first.cpu, 0)
        XCTAssertEqual(first.pid, 1687)
        XCTAssertEqual(first.comm, "insmod")
        XCTAssertEqual(first.kernelVersion, "6.1.0-50-amd64")
        XCTAssertEqual(first.taint, "G OE")
        XCTAssertEqual(first.timestamp, KernelTimestamp(seconds: 152, nanoseconds: 473_993_000))
        XCTAssertEqual(first.hardwareName?.hasPrefix("QEMU Standard PC (i440FX + PIIX, 1996)"), true)
        XCTAssertEqual(first.modules.first, "lab_warn")
        XCTAssertEqual(first.modules.last, "floppy")
        XCTAssertFalse(first.corrupted)
        // RIP: 0010:lab_evict_inode.constprop.0+0x5/0xfca [lab_warn]
        let pc = try XCTUnwrap(first.instructionPointer)
        XCTAssertEqual(pc.function, "lab_evict_inode.constprop.0")
        XCTAssertEqual(pc.offset, 0x5)
        XCTAssertEqual(pc.size, 0xfca)
        XCTAssertEqual(pc.module, "lab_warn")
        XCTAssertTrue(pc.isTrapPC)
        XCTAssertEqual(first.registers.first(where: { $0.name == "RSP" })?.value, 0xff6391e481dcbc48)
        let calls = first.frames.filter { !$0.isTrapPC }
        XCTAssertEqual(calls.first?.function, "lab_warn_init")
        XCTAssertEqual(calls.first?.module, "lab_warn")
        XCTAssertEqual(calls.first?.context, .task)
        XCTAssertEqual(calls.first?.section, "Call Trace")
        XCTAssertEqual(calls.map(\.function).prefix(5), ["lab_warn_init", "do_one_initcall", "do_init_module",
                                                        "__do_sys_finit_module", "do_syscall_64"])
        XCTAssertEqual(calls[5].function, "ksys_mmap_pgoff")
        XCTAssertFalse(calls[5].reliable)
        XCTAssertEqual(calls.last?.function, "entry_SYSCALL_64_after_hwframe")
        XCTAssertTrue(calls.last?.reliable ?? false)
        XCTAssertEqual(calls.count, 16)

        let second = found[1]
        XCTAssertEqual(second.location, SourceLocation(file: "/tmp/mod/lab_warn.c", line: 12))
        XCTAssertEqual(second.taint, "G W OE")
        XCTAssertEqual(second.frames.filter { !$0.isTrapPC }.first?.function, "lab_release_extents.constprop.0")
    }

    func testWithoutTimestampsGivesSameTitles() throws {
        let plain = try reports("dmesg-lab-warn-notime.txt")
        XCTAssertEqual(plain.map(\.title), ["WARNING in lab_evict_inode", "WARNING in lab_check_reservation"])
        XCTAssertNil(plain.first?.timestamp)
        XCTAssertEqual(plain.first?.frames.count, try reports("dmesg-lab-warn.txt").first?.frames.count)
    }

    func testKernelBugIsOneReportEndingAtEndTrace() throws {
        let found = try reports("dmesg-lab-bug.txt")
        XCTAssertEqual(found.count, 1, "invalid opcode after kernel BUG is the same report")
        let bug = try XCTUnwrap(found.first)
        XCTAssertEqual(bug.title, "kernel BUG in lab_bug_leaf")
        XCTAssertEqual(bug.kind, .kernelBug)
        XCTAssertEqual(bug.location, SourceLocation(file: "/tmp/mod/lab_bug.c", line: 13))
        XCTAssertEqual(bug.pid, 1700)
        XCTAssertEqual(bug.comm, "lab_bug")
        XCTAssertEqual(bug.frames.map(\.function), ["lab_bug_leaf.constprop.0", "lab_bug_mid.constprop.0", "lab_bug_thread",
                                                    "kthread", "kthread_complete_and_exit", "ret_from_fork"])
        XCTAssertEqual(bug.frames.map(\.reliable), [true, true, true, true, false, true])
        XCTAssertEqual(bug.frames.map(\.isTrapPC), [true, false, false, false, false, false])
        XCTAssertEqual(try reports("dmesg-lab-bug-notime.txt").map(\.title), ["kernel BUG in lab_bug_leaf"])
    }

    func testNullDereference() throws {
        let found = try reports("dmesg-lab-nullderef.txt")
        XCTAssertEqual(found.map(\.title), ["BUG: unable to handle kernel NULL pointer dereference in lab_null_thread"])
        XCTAssertEqual(found.first?.pid, 1713)
        XCTAssertEqual(found.first?.comm, "lab_nullderef")
        XCTAssertEqual(found.first?.instructionPointer?.module, "lab_nullderef")
        // After "---[ end trace" x86 reprints the first oops' RIP (lab_bug_leaf): not part of this report.
        XCTAssertFalse(found.first?.frames.contains { $0.function == "lab_bug_leaf.constprop.0" } ?? true)
    }

    func testWholeBootLog() throws {
        for name in ["dmesg-full.txt", "dmesg-full-notime.txt", "dmesg-full-raw.txt"] {
            XCTAssertEqual(try reports(name).map(\.title),
                           ["WARNING in lab_evict_inode", "WARNING in lab_check_reservation", "kernel BUG in lab_bug_leaf",
                            "BUG: unable to handle kernel NULL pointer dereference in lab_null_thread"],
                           name)
        }
        XCTAssertEqual(try reports("dio-basic-dmesg-tail.txt").count, 0)
    }

    func testHungTaskCapturedOnThisMachine() throws {
        let found = try reports("host-6.18-hung-task.txt")
        XCTAssertEqual(found.map(\.title), ["INFO: task hung in mnt_want_write", "INFO: task hung in mnt_want_write"])
        let hung = try XCTUnwrap(found.first)
        XCTAssertEqual(hung.kind, .hungTask)
        XCTAssertEqual(hung.comm, "bash")
        XCTAssertEqual(hung.pid, 24147)
        XCTAssertEqual(hung.timestamp, KernelTimestamp(seconds: 836, nanoseconds: 699_513_000))
        XCTAssertEqual(hung.guiltyFrame, "mnt_want_write")
        XCTAssertEqual(hung.frames.prefix(3).map(\.function), ["__schedule", "schedule", "percpu_rwsem_wait"])
        XCTAssertTrue(hung.frames.contains { $0.function == "srso_return_thunk" && !$0.reliable })
    }

    func testSysrqBacktracesAreNotReports() throws {
        for name in ["dmesg-sysrq-w.txt", "dmesg-sysrq-l.txt"] {
            XCTAssertEqual(try reports(name).count, 0, name)
        }
        let blocked = parser.decode(try FixturePaths.bytes("dmesg/dmesg-sysrq-w.txt")).stackDumps
        // By hand: sysrq w listed 17 blocked tasks ("task:" lines), each with its Call Trace.
        XCTAssertEqual(blocked.count, 17)
        XCTAssertEqual(blocked.map(\.state), Array(repeating: "D", count: 17))
        let first = try XCTUnwrap(blocked.first)
        XCTAssertEqual(first.comm, "dd")
        XCTAssertEqual(first.state, "D")
        XCTAssertEqual(first.pid, 1383)
        XCTAssertEqual(first.parentPID, 1378)
        XCTAssertEqual(first.frames.count, 15, "15 frame lines between <TASK> and the user-space RIP")
        XCTAssertEqual(first.frames.prefix(3).map(\.function), ["__schedule", "schedule", "jbd2_log_wait_commit"])
        XCTAssertEqual(first.frames[2].module, "jbd2")
        XCTAssertTrue(blocked.contains { $0.comm == "btrfs" && $0.frames.contains { $0.function == "scrub_pause_off" } })

        let nmi = parser.decode(try FixturePaths.bytes("dmesg/dmesg-sysrq-l.txt")).stackDumps
        let cpu0 = try XCTUnwrap(nmi.first)
        XCTAssertEqual(cpu0.header, "NMI backtrace for cpu 0")
        XCTAssertEqual(cpu0.cpu, 0)
        XCTAssertEqual(cpu0.pid, 1350)
        XCTAssertEqual(cpu0.comm, "bash")
        XCTAssertEqual(cpu0.frames.first?.function, "dump_stack_lvl")
        XCTAssertEqual(cpu0.frames.last?.function, "entry_SYSCALL_64_after_hwframe")
    }
}
