import Foundation
import TraceInput
import XCTest

final class PosixThreadTests: XCTestCase {
    /// The affinity mask the kernel reports for this process, as `Cpus_allowed_list` ("0-3,8").
    private func allowedCPUsFromProc() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let list = line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)
        return try list.split(separator: ",").reduce(0) { total, part in
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            let first = try XCTUnwrap(bounds.first), last = bounds.last ?? first
            return total + last - first + 1
        }
    }

    func testAvailableCoresIsTheAffinityMask() throws {
        XCTAssertEqual(PosixThread.availableCores, try allowedCPUsFromProc())
    }

    func testJoinWaitsForTheBody() throws {
        // One slot per thread, each written only by its thread and read after the joins.
        let slots = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
        slots.initialize(repeating: 0)
        defer { slots.deallocate() }
        nonisolated(unsafe) let shared = slots
        let threads = try (0..<4).map { n in
            try PosixThread(name: "test \(n)") {
                usleep(useconds_t(20_000 * (4 - n)))
                shared[n] = n + 1
            }
        }
        for thread in threads { thread.join() }
        threads.forEach { $0.join() }  // a second join returns at once
        XCTAssertEqual(Array(slots), [1, 2, 3, 4])
    }
}
