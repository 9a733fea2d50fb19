import XCTest
@testable import TraceEvents

/// `RecentValues` keys are the bytes of a string, and ordered-extent flags read through the
/// payload's kept strings are those decoded from the bytes each time.
final class RecentValuesTests: XCTestCase {
    func testKeysAreTheBytesOfTheString() {
        let text = Array("REGULAR|IO_DONE REGULAR|IO_DONX REGULAR|IO_DONE|COMPLETE REGULAR flags=REGULAR|IO_DONE and padding past 32 bytes....".utf8)
        text.withUnsafeBytes { p in
            typealias R = RecentValues<Int>
            let first = R.key(p, 0, 15)
            XCTAssertNotNil(first)
            XCTAssertEqual(first, R.key(p, 71, 86), "the same 15 bytes elsewhere")
            XCTAssertNotEqual(first, R.key(p, 16, 31), "one byte differs")
            XCTAssertNotEqual(first, R.key(p, 0, 14), "a prefix")
            XCTAssertNotEqual(R.key(p, 32, 39), R.key(p, 32, 40), "lengths differ, the bytes past the shorter masked")
            XCTAssertEqual(R.key(p, 0, 7), R.key(p, 16, 23))
            XCTAssertEqual(R.key(p, 32, 56)?.length, 24)
            XCTAssertNil(R.key(p, 0, 0), "empty")
            XCTAssertNil(R.key(p, 0, 33), "longer than 32 bytes")
            XCTAssertNil(R.key(p, p.count - 20, p.count - 10), "fewer than 32 bytes left in the buffer")

            let recent = R(placeholder: -1)
            XCTAssertNil(recent.value(first!))
            for k in 0..<6 { recent.insert(R.key(p, k, k + 7)!, k) }
            // Four kept: the last four inserted.
            XCTAssertNil(recent.value(R.key(p, 0, 7)!))
            XCTAssertNil(recent.value(R.key(p, 1, 8)!))
            for k in 2..<6 { XCTAssertEqual(recent.value(R.key(p, k, k + 7)!), k) }
        }
    }

    /// Flags of every kind (names of both enum orders, unknown names, numbers, empty parts) in
    /// random runs with repeats: the payload's kept strings give what decoding gives, for both
    /// enum orders in turn.
    func testOrderedExtentFlagsThroughKeptStringsEqualDecoding() {
        let parts = ["REGULAR", "IO_DONE", "COMPLETE", "DIRECT", "NOCOW", "PREALLOC", "COMPRESSED", "IOERR", "TRUNCATED",
                     "LOGGED", "LOGGED_CSUM", "PENDING", "ENCODED", "UPDATED_ISIZE", "BOGUS", "0x12", "5", "", "1(x)"]
        var rng = SplitMix(seed: 0xF1A9)
        var pool: [String] = []
        for _ in 0..<12 {
            pool.append((0..<(1 + Int(rng.next() % 4))).map { _ in parts[Int(rng.next() % UInt64(parts.count))] }.joined(separator: "|"))
        }
        let fields = PayloadFields()
        for _ in 0..<5_000 {
            let flags = pool[Int(rng.next() % UInt64(pool.count))]
            let modern = rng.next() % 3 != 0
            let payload = Array("root=5(FS_TREE) ino=257 flags=\(flags) compress_type=0 refs=1 and enough bytes after it to compare".utf8)
            payload.withUnsafeBytes { p in
                fields.load(p, 0, p.count)
                let got = fields.orderedExtentFlags(OrderedExtentEvents.OrderedKey.flags, modernOrder: modern)
                guard let (s, e) = fields.range(OrderedExtentEvents.OrderedKey.flags) else { return XCTFail(flags) }
                XCTAssertEqual(got, OrderedExtentEvents.decodeFlags(p, s, e, modern: modern), "\(flags) modern \(modern)")
            }
        }
    }
}
