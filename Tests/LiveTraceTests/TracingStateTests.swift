import XCTest
@testable import LiveTrace

final class TracingStateTests: XCTestCase {
    func testParseBufferSize() {
        XCTAssertEqual(TracingState.parseBufferSize("7 (expanded: 1408)\n").0, 1408)
        XCTAssertEqual(TracingState.parseBufferSize("7 (expanded: 1408)\n").1, false)
        XCTAssertEqual(TracingState.parseBufferSize("1410\n").0, 1410)
        XCTAssertEqual(TracingState.parseBufferSize("1410\n").1, true)
        XCTAssertNil(TracingState.parseBufferSize("X\n").0)
    }

    func testSelectedClock() throws {
        XCTAssertEqual(try TracingState.selectedClock("[local] global counter uptime\n", path: "t"), "local")
        XCTAssertEqual(try TracingState.selectedClock("local global [x86-tsc]\n", path: "t"), "x86-tsc")
        XCTAssertThrowsError(try TracingState.selectedClock("local\n", path: "t"))
    }

    func testRingBufferStatsParsing() {
        let s = RingBufferStats(parsing: """
            entries: 2849
            overrun: 0
            commit overrun: 0
            bytes: 290784
            oldest event ts:   364.114566
            now ts:   380.000000
            dropped events: 0
            read events: 0
            """)
        XCTAssertEqual(s.entries, 2849)
        XCTAssertFalse(s.lostEvents)
        XCTAssertTrue(RingBufferStats(parsing: "overrun: 5\n").lostEvents)
    }

    /// snapshot -> change everything the snapshot covers -> restore -> identical snapshot.
    func testSnapshotChangeRestoreGivesIdenticalState() throws {
        let tracefs = try requireTracefs()
        let lock = try CaptureLock()
        defer { lock.release() }
        let before = try TracingState.capture(from: tracefs)
        var restored = false
        defer { if !restored { try? before.restore(to: tracefs) } }

        // change: switches, clock, buffer size, an option, events, a filter
        try tracefs.setTracingOn(!before.tracingOn)
        let clock = before.traceClock == "global" ? "mono" : "global"
        try tracefs.write("trace_clock", clock)
        let size = (before.bufferSizeKB ?? 1408) + 512
        try tracefs.setBufferSizeKB(size)
        let option = "record-tgid"
        let oldOption = before.options[option] ?? "0"
        try tracefs.write("options/\(option)", oldOption == "1" ? "0" : "1")
        let enabled = try tracefs.enableEvents(["btrfs:btrfs_inode_evict", "iomap:iomap_dio_rw_begin",
                                                "btrfs:btrfs_ordered_extent_*", "nosuchsys:nosuchevent"])
        XCTAssertTrue(enabled.enabled.contains("btrfs:btrfs_inode_evict"))
        XCTAssertTrue(enabled.enabled.contains("btrfs:btrfs_ordered_extent_add"))
        XCTAssertEqual(enabled.skipped, ["nosuchsys:nosuchevent"])
        try tracefs.setFilter("ino == 257", ofEvent: "btrfs:btrfs_inode_evict")

        let changed = try TracingState.capture(from: tracefs)
        let diff = before.differences(from: changed)
        XCTAssertFalse(before.isEquivalent(to: changed))
        XCTAssertTrue(diff.contains { $0.hasPrefix("trace_clock") }, "\(diff)")
        XCTAssertTrue(diff.contains { $0.hasPrefix("buffer_size_kb") }, "\(diff)")
        XCTAssertTrue(diff.contains { $0.hasPrefix("options/record-tgid") }, "\(diff)")
        XCTAssertTrue(diff.contains { $0.hasPrefix("set_event") }, "\(diff)")
        XCTAssertTrue(diff.contains { $0.hasPrefix("filter btrfs:btrfs_inode_evict") }, "\(diff)")
        XCTAssertEqual(changed.eventFilters["btrfs:btrfs_inode_evict"], "ino == 257")

        try before.restore(to: tracefs)
        restored = true
        let after = try TracingState.capture(from: tracefs)
        XCTAssertEqual(after.differences(from: before), [], "state after restore differs")
        XCTAssertEqual(after.enabledEvents, before.enabledEvents)
        XCTAssertEqual(after.options, before.options)
        XCTAssertEqual(after.eventFilters, before.eventFilters)
        XCTAssertEqual(after.tracingOn, before.tracingOn)
        XCTAssertEqual(after.traceClock, before.traceClock)
    }
}
