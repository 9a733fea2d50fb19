import XCTest
@testable import KernelLog

/// Frame lines of each architecture and era, parsed one at a time.
final class FrameFormatTests: XCTestCase {
    func frame(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> StackFrame? {
        let bytes = Array(text.utf8)
        guard case .frame(let frame, _)? = FrameLineParser.parse(bytes, start: 0, end: bytes.count) else {
            XCTFail("not a frame: \(text)", file: file, line: line)
            return nil
        }
        return frame
    }

    func testOldX86WithAddress() {
        let parsed = frame(" [<ffffffff81984058>] dump_stack+0x45/0x57")
        XCTAssertEqual(parsed?.address, 0xffffffff81984058)
        XCTAssertEqual(parsed?.function, "dump_stack")
        XCTAssertEqual(parsed?.offset, 0x45)
        XCTAssertEqual(parsed?.size, 0x57)
        XCTAssertEqual(parsed?.reliable, true)
        let unreliable = frame(" [<ffffffff8149e232>] ? handle_mm_fault+0x3f2/0x3190")
        XCTAssertEqual(unreliable?.reliable, false)
        XCTAssertEqual(unreliable?.function, "handle_mm_fault")
    }

    func testOldIRQMarkerOnSameLine() {
        let bytes = Array(" <IRQ>  [<ffffffff813a0886>] _sched_show_task+0x2a6/0x4f0".utf8)
        guard case .frame(let parsed, let marker)? = FrameLineParser.parse(bytes, start: 0, end: bytes.count) else {
            return XCTFail("no frame")
        }
        XCTAssertEqual(marker, .irq)
        XCTAssertEqual(parsed.function, "_sched_show_task")
    }

    func testModuleAndBuildIDAndArm64Source() {
        let parsed = frame("  drm_gem_mmap_obj+0x114/0x200 [drm 03d0564e0529947d67bb2008c3548be77279fd27] (P)")
        XCTAssertEqual(parsed?.module, "drm")
        XCTAssertEqual(parsed?.buildID, "03d0564e0529947d67bb2008c3548be77279fd27")
        XCTAssertEqual(parsed?.unwindSource, "P")
        XCTAssertEqual(frame("  __switch_to+0x2b0/0x6e0 (T)")?.unwindSource, "T")
    }

    func testArm32() {
        let parsed = frame("[<80de0078>] (dump_backtrace) from [<80de0574>] (show_stack+0x28/0x2c)")
        XCTAssertEqual(parsed?.address, 0x80de0078)
        XCTAssertEqual(parsed?.function, "dump_backtrace")
    }

    func testPowerPC() {
        let parsed = frame("[c00000007a3efa20] [c00000000030a060] rebuild_sched_domains_locked+0x7b0/0x13a0")
        XCTAssertEqual(parsed?.address, 0xc00000000030a060)
        XCTAssertEqual(parsed?.function, "rebuild_sched_domains_locked")
        XCTAssertEqual(frame("[c00000007a3ef970] [c0000000001f2b8c] show_stack+0x7c/0x1a0 (unreliable)")?.reliable, false)
    }

    func testS390() {
        let reliable = frame(" [<0000021761df6538>] btrfs_compress_folios+0x198/0x1a0 [btrfs]")
        XCTAssertEqual(reliable?.reliable, true)
        XCTAssertEqual(reliable?.module, "btrfs")
        let unreliable = frame(" ([<0000021761df6534>] btrfs_compress_folios+0x194/0x1a0)")
        XCTAssertEqual(unreliable?.reliable, false)
        XCTAssertEqual(unreliable?.address, 0x0000021761df6534)
    }

    func testRiscV() {
        XCTAssertEqual(frame("[<ffffffe002150a3a>] dump_stack+0x8e/0xb4")?.function, "dump_stack")
    }

    func testLineInfoAndSymbolizedSuffixes() {
        XCTAssertEqual(frame("  vfs_write+0x1c6/0xff0 (fs/read_write.c:686)")?.printedLocation,
                       SourceLocation(file: "fs/read_write.c", line: 686))
        XCTAssertEqual(frame(" dump_stack+0x292/0x395 lib/dump_stack.c:52")?.printedLocation,
                       SourceLocation(file: "lib/dump_stack.c", line: 52))
    }

    func testSymbolShapes() {
        XCTAssertEqual(frame("  __kasan_report.cold+0x1c/0x3c")?.function, "__kasan_report.cold")
        XCTAssertEqual(frame("  do_ipv6_setsockopt.isra.7.part.3+0x1/0x2")?.function, "do_ipv6_setsockopt.isra.7.part.3")
    }

    func testNotFrames() {
        for text in ["Call Trace:", " </TASK>", "RSP: 0018:ffffc900030dfc40 EFLAGS: 00010282", "hello world",
                     "a+b", "[12] foo+0x1/0x2x", ""] {
            let bytes = Array(text.utf8)
            if case .frame? = FrameLineParser.parse(bytes, start: 0, end: bytes.count) {
                if text != "[12] foo+0x1/0x2x" { XCTFail("parsed as frame: \(text)") }
            }
        }
    }

    func testArm64Report() {
        let log = """
        [  100.1] Unable to handle kernel paging request at virtual address dfff800000000004
        [  100.2] Internal error: Oops: 0000000096000005 [#1] PREEMPT SMP
        [  100.3] CPU: 1 PID: 3000 Comm: syz-executor Not tainted 6.1.0 #0
        [  100.4] Hardware name: linux,dummy-virt (DT)
        [  100.5] pstate: 40000005 (nZcv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=--)
        [  100.6] pc : btrfs_search_slot+0x18/0x2c [btrfs]
        [  100.7] lr : btrfs_lookup_inode+0x1c/0x30 [btrfs]
        [  100.8] sp : ffff80000a4b3a10
        [  100.9] x29: ffff80000a4b3a10 x28: 0000000000000000 x27: ffff000003e0a000
        [  101.0] Call trace:
        [  101.1]  btrfs_search_slot+0x18/0x2c [btrfs] (P)
        [  101.2]  btrfs_lookup_inode+0x1c/0x30 [btrfs]
        [  101.3]  btrfs_iget+0x40/0x80 [btrfs]
        [  101.4]  el0_svc+0x10/0x20
        """
        let report = KernelLogParser().reports(in: log).first
        XCTAssertEqual(report?.title, "BUG: unable to handle kernel paging request in btrfs_search_slot")
        XCTAssertEqual(report?.instructionPointer?.function, "btrfs_search_slot")
        XCTAssertEqual(report?.instructionPointer?.isTrapPC, true)
        XCTAssertEqual(report?.registers.first(where: { $0.name == "x28" })?.value, 0)
        XCTAssertEqual(report?.registers.first(where: { $0.name == "sp" })?.value, 0xffff80000a4b3a10)
        XCTAssertEqual(report?.frames.filter { !$0.isTrapPC }.map(\.function),
                       ["btrfs_search_slot", "btrfs_lookup_inode", "btrfs_iget", "el0_svc"])
        XCTAssertEqual(report?.hardwareName, "linux,dummy-virt (DT)")
    }
}
