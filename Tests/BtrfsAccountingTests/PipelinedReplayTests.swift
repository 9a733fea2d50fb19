@testable import BtrfsAccounting
import TraceEvents
import XCTest

/// The trace.dat replay decodes on a thread of its own (`PipelinedReplay`): every event must reach
/// the ledger once, in order, an error must come after the events read before it, and no number
/// of events (none, a partial batch, many batches) may lose or repeat one.
final class PipelinedReplayTests: XCTestCase {
    private func event(_ n: Int) -> TraceEvent {
        TraceEvent(origin: EventOrigin(file: 0, line: n), timestamp: UInt64(n), timestampKind: .nanoseconds, cpu: Int32(n % 4),
                   pid: Int32(n % 97), comm: "t", name: "btrfs_inode_new", filesystem: nil,
                   payload: .inode(InodeEvent(kind: .new, root: 5, inode: UInt64(n))))
    }

    struct Stop: Error, Equatable { let after: Int }

    /// Lines of the events `run` applies for a reader of `count` events that throws after `failAfter`.
    private func applied(_ count: Int, threaded: Bool, failAfter: Int? = nil) -> (lines: [Int], error: (any Error)?) {
        var lines: [Int] = []
        do {
            try PipelinedReplay.run(threaded: threaded) { sink in
                for n in 0..<count {
                    if n == failAfter { throw Stop(after: n) }
                    sink(self.event(n))
                }
            } apply: { lines.append($0.origin.line) }
        } catch {
            return (lines, error)
        }
        return (lines, nil)
    }

    func testEveryEventOnceInOrder() {
        let b = PipelinedReplay.batchSize
        for count in [0, 1, b - 1, b, b + 1, 5 * b + 17] {
            let (lines, error) = applied(count, threaded: true)
            XCTAssertNil(error)
            XCTAssertEqual(lines, Array(0..<count), "\(count) events")
            XCTAssertEqual(applied(count, threaded: false).lines, lines)
        }
    }

    func testErrorComesAfterTheEventsBeforeIt() {
        let b = PipelinedReplay.batchSize
        for failAfter in [0, 3, b, 2 * b + 5] {
            for threaded in [true, false] {
                let (lines, error) = applied(3 * b, threaded: threaded, failAfter: failAfter)
                XCTAssertEqual(error as? Stop, Stop(after: failAfter), "threaded \(threaded)")
                XCTAssertEqual(lines, Array(0..<failAfter), "threaded \(threaded), fail after \(failAfter)")
            }
        }
    }

    func testLedgerResultsEqualInlineReplay() {
        // A ledger fed through the pipeline ends as one fed inline (inode balances, findings).
        var a = Ledger(fileNames: ["x"]), b = Ledger(fileNames: ["x"])
        let count = 3 * PipelinedReplay.batchSize + 11
        let read: (_ sink: (TraceEvent) -> Void) throws -> Void = { sink in for n in 0..<count { sink(self.event(n)) } }
        XCTAssertNoThrow(try PipelinedReplay.run(threaded: true, read: read) { a.apply($0) })
        XCTAssertNoThrow(try PipelinedReplay.run(threaded: false, read: read) { b.apply($0) })
        let ra = a.finish(), rb = b.finish()
        XCTAssertEqual(ra.inodes, rb.inodes)
        XCTAssertEqual(ra.findings.map(\.rule.id), rb.findings.map(\.rule.id))
    }
}
