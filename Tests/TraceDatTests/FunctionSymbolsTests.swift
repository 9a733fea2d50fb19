@testable import TraceDat
import XCTest

/// `%ps` names from a trace.dat's kallsyms, as libtraceevent's `tep_find_function` gives them.
final class FunctionSymbolsTests: XCTestCase {
    func symbols(_ text: String) -> FunctionSymbols {
        let bytes = Array(text.utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        buffer.copyBytes(from: bytes)
        addTeardownBlock { buffer.deallocate() }
        return FunctionSymbols(kallsyms: { UnsafeRawBufferPointer(buffer) })
    }

    func testNearestSymbolBelowFirstListedOfOneAddressModulesOutOfOrder() {
        let s = symbols("""
            ffffffff81000000 T _text
            ffffffff81000000 T startup_64
            ffffffff81001000 t helper
            ffffffffc0a10000 t btrfs_work_helper\t[btrfs]
            ffffffffc0a10040 t end_workqueue_fn\t[btrfs]
            ffffffffc0800000 t loop_queue_work\t[loop]
            ffffffff81002000 T late_core_symbol
            not a line
            ffffffffzz000000 t bad_address
            ffffffff81003000 t
            ffffffff81004000 t name with spaces
            """)
        XCTAssertEqual(s.name(at: 0xffffffff81000000), "_text", "of one address the first listed")
        XCTAssertEqual(s.name(at: 0xffffffff81000fff), "_text")
        XCTAssertEqual(s.name(at: 0xffffffff81001004), "helper")
        XCTAssertEqual(s.name(at: 0xffffffff81002100), "late_core_symbol", "a symbol listed after the modules still sorts")
        XCTAssertEqual(s.name(at: 0xffffffffc0a10010), "btrfs_work_helper", "the module after the tab is not in the name")
        XCTAssertEqual(s.name(at: 0xffffffffc0800004), "loop_queue_work")
        XCTAssertEqual(s.name(at: 0xffffffffc0a10040), "end_workqueue_fn", "past the last symbol: its exact address")
        XCTAssertNil(s.name(at: 0xffffffffc0a10044), "past the last symbol: nothing else")
        XCTAssertNil(s.name(at: 0xffffffff80000000), "below the first symbol")
        XCTAssertEqual(s.name(at: 0xffffffff81004001), "name", "a name ends at a blank")
        XCTAssertEqual(s.name(at: 0xffffffff81003001), "late_core_symbol", "a line without a name is skipped")
    }

    func testEmptyAndMissingKallsyms() {
        XCTAssertNil(symbols("").name(at: 0xffffffff81000000))
        XCTAssertNil(FunctionSymbols(kallsyms: { nil }).name(at: 1))
    }
}
