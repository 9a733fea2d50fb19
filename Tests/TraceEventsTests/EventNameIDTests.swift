import XCTest
@testable import TraceEvents

/// The reader numbers event names once and keeps each number in the name cache's entry, so a
/// line recognized by the cache skips the lookup by hash. An entry replaced by another name must
/// not keep the old number: with more names than entries, every line must still be counted under
/// its own name and decoded as its name says.
final class EventNameIDTests: XCTestCase {
    func testEveryLineKeepsItsNameWhileCacheEntriesAreReplaced() throws {
        // 600 names (the cache holds 64 x 4), of many lengths, some sharing first and last words.
        var names = (0..<600).map { k in "ev_\(k)_" + String(repeating: "x", count: k % 37) }
        names += ["update_bytes_may_use", "btrfs_space_reservation", "btrfs_inode_mod_outstanding_extents"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var text = ""
        var expected: [String: UInt64] = [:]
        var expectedDecoded = 0
        for i in 0..<60_000 {
            // Runs of one name (the common case) and jumps between many.
            let name = names[i % 7 == 0 ? names.count - 1 - next(3) : next(names.count)]
            let payload: String
            switch name {
            case "update_bytes_may_use": payload = "type=DATA old=4096 diff=-4096"
            case "btrfs_space_reservation": payload = "delalloc: 257 reserve 4096"
            case "btrfs_inode_mod_outstanding_extents": payload = "root=5(FS_TREE) ino=257 mod=1 outstanding=1"
            default: payload = "value=\(i) and some more text to make the line long"
            }
            if name.hasPrefix("update_") || name.hasPrefix("btrfs_") { expectedDecoded += 1 }
            expected[name, default: 0] += 1
            text += "          xfs_io-11006   [000] ...1.   753.\(String(100_000 + i)): \(name): e25b7993-37f4-4efc-bb70-2b63ed15b35f: \(payload)\n"
        }
        let bytes = Array(text.utf8)
        let reader = TraceReader(fileIndex: 0, fileName: "names.txt")
        var decoded = 0
        var wrongKind = 0
        try bytes.withUnsafeBytes { p in
            try reader.read(mapped: p, format: .ftrace) { event in
                decoded += 1
                let ok: Bool
                switch event.payload {
                case .spaceInfoUpdate: ok = event.name.string == "update_bytes_may_use"
                case .spaceReservation: ok = event.name.string == "btrfs_space_reservation"
                case .outstandingExtents: ok = event.name.string == "btrfs_inode_mod_outstanding_extents"
                default: ok = false
                }
                if !ok { wrongKind += 1 }
            }
        }
        XCTAssertEqual(reader.statistics.eventsByName, expected)
        XCTAssertEqual(decoded, expectedDecoded)
        XCTAssertEqual(wrongKind, 0)
        XCTAssertEqual(reader.statistics.malformedLines, 0)
    }
}
