import Dispatch
import Foundation
import XCTest
@testable import TraceEvents

/// Events are plain data (copied without reference counting) and the text decoders that used to
/// build strings, arrays and dictionaries per line read the payload in place.
final class PlainDataEventTests: XCTestCase {
    func testAccountingEventsArePlainData() {
        // A String in any payload makes every copy of every event go through reference counting
        // (and, for the Optional returned by the decoders, the runtime's generic copy).
        XCTAssertTrue(_isPOD(AccountingEvent.self))
        XCTAssertTrue(_isPOD(InternedString.self))
        // comm and name interned too: the ledger's copies of events (and its references to them,
        // kept in every balance's chain) are memcpys.
        XCTAssertTrue(_isPOD(TraceEvent.self))
    }

    func testInternedStringsCompareByValueAndPrintAsTheirString() {
        let a = InternedString("finish_ordered_fn")
        let b = InternedString(String("finish_ordered" + "_fn"))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, InternedString("btrfs_dio_write"))
        XCTAssertEqual(a.string, "finish_ordered_fn")
        XCTAssertTrue(a == "finish_ordered_fn")
        XCTAssertEqual("\(a)", "finish_ordered_fn")
        // Reflection of a value holding one prints what a String field printed (keys are sorted by it).
        struct Holder { var type: InternedString }
        struct Before { var type: String }
        XCTAssertEqual(String(describing: Holder(type: "data")).replacingOccurrences(of: "Holder", with: "Before"),
                       String(describing: Before(type: "data")))
        XCTAssertEqual(Set([a, b, InternedString("x")]).count, 2)
    }

    func testInternedStringsFromManyThreadsAgree() {
        // Decoding workers intern on several threads at once: each name gets one number.
        let names = (0..<200).map { "interned_from_threads_\($0)" }
        let results = UnsafeMutableBufferPointer<[InternedString]>.allocate(capacity: 4)
        results.initialize(repeating: [])
        defer { results.deinitialize(); results.deallocate() }
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            slots[t] = (t % 2 == 0 ? names : names.reversed()).map { InternedString($0) }
        }
        let first = results[0]
        XCTAssertEqual(Array(results[1].reversed()), first)
        XCTAssertEqual(results[2], first)
        XCTAssertEqual(Set(first).count, names.count)
        XCTAssertEqual(first.map(\.string), names)
    }

    private func decode(_ name: String, _ payload: String) -> AccountingEvent? {
        let decoder = EventDecoder()
        return Array(payload.utf8).withUnsafeBytes { p in
            decoder.decode(DecoderKind.forName(name), name: InternedString(name), p, 0, p.count).event
        }
    }

    func testIomapKeyValueTextIsReadInPlace() throws {
        // 6.18 `iomap_dio_rw_begin` as the kernel prints it.
        let begin = try XCTUnwrap(decode("iomap_dio_rw_begin", "dev 0:40 ino 0x102 size 0x40000 offset 0x10000 length 0x4000 done_before 0x0 flags DIRECT|WRITE dio_flags 0x0 aio 1"))
        guard case .directIOBegin(let b) = begin else { return XCTFail("\(begin)") }
        XCTAssertEqual([b.device, b.inode, b.offset, b.length], [40, 0x102, 0x10000, 0x4000])
        XCTAssertTrue(b.isWrite)
        XCTAssertTrue(b.isAsync)
        // A read, and a repeated key: the first one counts.
        let read = try XCTUnwrap(decode("iomap_dio_rw_begin", "dev 0:40 ino 0x7 size 0x0 offset 0x0 length 0x1000 flags DIRECT aio 0 ino 0x9"))
        guard case .directIOBegin(let r) = read else { return XCTFail() }
        XCTAssertEqual(r.inode, 7)
        XCTAssertFalse(r.isWrite)
        let end = try XCTUnwrap(decode("iomap_dio_complete", "dev 0:40 ino 0x102 size 0x40000 offset 0x10000 flags DIRECT|WRITE aio 0 error -14 ret 0"))
        guard case .directIOEnd(let e) = end else { return XCTFail() }
        XCTAssertEqual([e.error, e.result], [-14, 0])
        XCTAssertNil(decode("iomap_dio_complete", "dev 0:40 size 0x40000"))
    }

    func testIomapIterationFlagsFromMaskOrNames() throws {
        let masked = try XCTUnwrap(decode("iomap_iter", "dev 0:3 ino 0x700001 pos 0x2518000 length 0x4000 status 0 flags WRITE|DIRECT (0x11) ops 0xffffffff82489700 caller iomap_dio_rw+0x1f/0x40"))
        guard case .iomapIteration(let m) = masked else { return XCTFail() }
        XCTAssertEqual(m.flags, 0x11)
        XCTAssertEqual([m.inode, m.position, m.length], [0x700001, 0x2518000, 0x4000])
        // No `(0x..)` note: the names are read.
        let named = try XCTUnwrap(decode("iomap_iter", "dev 0:3 ino 0x5 pos 0x0 length 0x1000 flags WRITE|DIRECT ops 0xffffffff82489700 caller x+0x1/0x2"))
        guard case .iomapIteration(let n) = named else { return XCTFail() }
        XCTAssertEqual(n.flags, IomapIteration.writeFlag | IomapIteration.directFlag)
        let read = try XCTUnwrap(decode("iomap_iter", "dev 0:3 ino 0x5 pos 0x0 length 0x1000 flags REPORT"))
        guard case .iomapIteration(let r) = read else { return XCTFail() }
        XCTAssertEqual(r.flags, 0)
    }

    func testOrderedExtentFlagNamesAndNumbers() {
        let p = Array("REGULAR|DIRECT|IO_DONE".utf8)
        let names = p.withUnsafeBytes { OrderedExtentEvents.decodeFlags($0, 0, $0.count, modern: true) }
        XCTAssertEqual(names, [.regular, .direct, .ioDone])
        let q = Array("0x11".utf8)
        let number = q.withUnsafeBytes { OrderedExtentEvents.decodeFlags($0, 0, $0.count, modern: true) }
        XCTAssertEqual(number, [.regular, .direct])
        XCTAssertEqual(OrderedExtentFlags([.regular, .ioDone]).names, ["REGULAR", "IO_DONE"])
    }
}
