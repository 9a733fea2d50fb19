import XCTest
@testable import TraceEvents

final class LineTokenizerTests: XCTestCase {
    func header(_ line: String) -> (EventHeader, String, String)? {
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBytes { p -> (EventHeader, String, String)? in
            guard case .event(let h) = LineTokenizer().classify(p) else { return nil }
            return (h, Bytes.string(p, h.commStart, h.commEnd), Bytes.string(p, h.nameStart, h.nameEnd))
        }
    }

    func testContextLayouts() throws {
        let cases: [(String, String, Int32, Int32, UInt64, String)] = [
            ("       my dd-x y-2388    [001] ..... 10.000001: iomap_dio_rw_begin: dev 0:40", "my dd-x y", 2388, 1, 10_000_001_000, "iomap_dio_rw_begin"),
            ("          a-1234-2432    [000] .....  1.5: x_y: a=1", "a-1234", 2432, 0, 1_500_000_000, "x_y"),
            ("              dd-16153   (  16153) [001] .....   417.938742: btrfs_space_reservation: f", "dd", 16153, 1, 417_938_742_000, "btrfs_space_reservation"),
            ("              dd-16264   [001]    418.166382: iomap_dio_rw_begin: dev", "dd", 16264, 1, 418_166_382_000, "iomap_dio_rw_begin"),
            ("      dd-16313     1..... 19884us : iomap_dio_rw_begin: dev 0:40", "dd", 16313, 1, 19884, "iomap_dio_rw_begin"),
            ("      dd-22248   1.....   471.291036: iomap_dio_rw_begin:   dev 0:40", "dd", 22248, 1, 471_291_036_000, "iomap_dio_rw_begin"),
            ("              dd-22248 [001]   471.291041: (+5)     btrfs_space_reservation: x", "dd", 22248, 1, 471_291_041_000, "btrfs_space_reservation"),
            ("              dd-22248 [001]   471.291035900: iomap_dio_rw_begin:   dev", "dd", 22248, 1, 471_291_035_900, "iomap_dio_rw_begin"),
            ("       my dd-x y 22667 [001]   501.389007: btrfs:btrfs_ordered_extent_add: f", "my dd-x y", 22667, 1, 501_389_007_000, "btrfs_ordered_extent_add"),
            ("              dd 22563/22564 [001]   491.801107988:          iomap:iomap_dio_rw_begin: dev", "dd", 22564, 1, 491_801_107_988, "iomap_dio_rw_begin"),
            ("              dd 22563     0.000000:          iomap:iomap_dio_rw_begin: dev", "dd", 22563, -1, 0, "iomap_dio_rw_begin"),
            ("           <...>-21116 [000] .....            3: btrfs_tree_lock: x", "<...>", 21116, 0, 3, "btrfs_tree_lock"),
            ("foo:               dd-22523 [000]   488.819026: btrfs_ordered_extent_add: x", "dd", 22523, 0, 488_819_026_000, "btrfs_ordered_extent_add"),
        ]
        for (line, comm, pid, cpu, ts, name) in cases {
            guard let (h, c, n) = header(line) else { XCTFail("not an event: \(line)"); continue }
            XCTAssertEqual(c, comm, line)
            XCTAssertEqual(h.pid, pid, line)
            XCTAssertEqual(h.cpu, cpu, line)
            XCTAssertEqual(h.timestamp, ts, line)
            XCTAssertEqual(n, name, line)
        }
        XCTAssertEqual(header("iomap_dio_rw_begin: dev 0:40 ino 0x102")?.1, "")
        XCTAssertEqual(header("iomap_dio_rw_begin: dev 0:40 ino 0x102")?.0.style, .noContext)
    }

    func testOutOfBandLines() {
        func kind(_ s: String) -> LineKind { Array(s.utf8).withUnsafeBytes { LineTokenizer().classify($0) } }
        if case .lost(let cpu, let n) = kind("CPU:1 [LOST 20130 EVENTS]") { XCTAssertEqual(cpu, 1); XCTAssertEqual(n, 20130) } else { XCTFail() }
        if case .traceCmdDropped(_, let n) = kind("CPU:3 [12 EVENTS DROPPED]") { XCTAssertEqual(n, 12) } else { XCTFail() }
        if case .bufferStarted(let cpu) = kind("##### CPU 1 buffer started ####") { XCTAssertEqual(cpu, 1) } else { XCTFail() }
        if case .entriesHeader(let a, let b) = kind("# entries-in-buffer/entries-written: 285/26634   #P:2") { XCTAssertEqual([a, b], [285, 26634]) } else { XCTFail() }
        if case .callchainFrame = kind("\tffffffff819b583e btrfs_alloc_ordered_extent+0x24e ([kernel.kallsyms])") {} else { XCTFail() }
        if case .traceCmdHeader = kind("CPU 3 is empty") {} else { XCTFail() }
        if case .unrecognized = kind("hello world") {} else { XCTFail() }
    }

    func testOrderedExtentFlagsNamesAndNumbersAgree() {
        XCTAssertEqual(OrderedExtentFlags.fromKernelBits(0x12, modern: true).0, [.nocow, .direct])
        XCTAssertEqual(OrderedExtentFlags.fromKernelBits(0x11, modern: true).0, [.regular, .direct])
        XCTAssertEqual(OrderedExtentFlags.fromKernelBits(0x21, modern: false).0, [.ioDone, .direct])
        let names = Array("REGULAR|DIRECT|IO_DONE|COMPLETE|IOERR".utf8)
        let decoded = names.withUnsafeBytes { OrderedExtentEvents.decodeFlags($0, 0, $0.count, modern: true) }
        let bits = OrderedExtentFlags.fromKernelBits(0xF1, modern: true).0
        XCTAssertEqual(decoded, bits)
    }
}
