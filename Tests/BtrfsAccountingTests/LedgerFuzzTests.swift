import XCTest
@testable import BtrfsAccounting
import TraceEvents

/// Out-of-order, duplicated and missing events (what a lossy or mid-flight trace delivers) must
/// never crash the ledger, and its output must not depend on anything but the event order.
final class LedgerFuzzTests: XCTestCase {
    func testScrambledEventStreamsReplayWithoutCrashing() throws {
        let path = FixturePaths.path("captures/k6.18-mixed/ftrace.txt.gz")
        let events = try decodedEvents(path)
        var state: UInt64 = 0xD10
        func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            return z ^ (z >> 27)
        }
        for round in 0..<20 {
            var stream: [TraceEvent] = []
            stream.reserveCapacity(events.count)
            for e in events {
                switch next() % 10 {
                case 0: continue                                  // dropped
                case 1: stream.append(e); stream.append(e)        // duplicated
                case 2: stream.insert(e, at: Int(next() % UInt64(stream.count + 1)))  // out of order
                default: stream.append(e)
                }
            }
            let first = replay(stream, name: path)
            let again = replay(stream, name: path)
            XCTAssertEqual(first.map { "\($0.rule.id) \($0.inode ?? 0) \($0.amount ?? 0)" },
                           again.map { "\($0.rule.id) \($0.inode ?? 0) \($0.amount ?? 0)" }, "round \(round)")
        }
    }
}
