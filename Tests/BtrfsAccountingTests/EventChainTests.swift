import XCTest
@testable import BtrfsAccounting
import TraceEvents

/// The ring-buffer chain keeps exactly what the plain "remove the oldest tail event" model keeps.
final class EventChainTests: XCTestCase {
    func ref(_ line: Int) -> EventRef {
        EventRef(TraceEvent(origin: EventOrigin(file: 0, line: line), timestamp: UInt64(line), timestampKind: .none, cpu: 0, pid: 1,
                            comm: "t", name: "e", filesystem: nil, payload: .transactionCommit))
    }

    func testReferencesArePlainData() {
        // Every balance's chain holds copies of event references: no reference counting in them.
        XCTAssertTrue(_isPOD(EventRef.self))
    }

    func testMatchesTheSimpleModel() {
        var generator = SystemRandomNumberGenerator()
        for n in [0, 1, 15, 16, 47, 48, 49, 64, 80, 81, 500] {
            var chain = EventChain()
            var model: [Int] = [], elided = 0
            for i in 0..<n {
                chain.append(ref(i))
                if model.count >= EventChain.limit { model.remove(at: EventChain.head); elided += 1 }
                model.append(i)
                if Int.random(in: 0..<97, using: &generator) == 0 {
                    XCTAssertEqual(chain.events.map(\.line), model, "n \(n) at \(i)")
                }
            }
            XCTAssertEqual(chain.events.map(\.line), model, "n \(n)")
            XCTAssertEqual(chain.elided, elided)
            var merged = EventChain()
            merged.append(ref(100_000))
            merged.append(contentsOf: chain)
            XCTAssertEqual(merged.elided, elided + max(0, model.count + 1 - EventChain.limit))
            chain.reset()
            XCTAssertTrue(chain.isEmpty)
            XCTAssertEqual(chain.elided, 0)
        }
    }
}
