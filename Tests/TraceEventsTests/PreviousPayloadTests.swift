import Foundation
import XCTest
@testable import TraceEvents

/// Decoding through layouts that keep the payload before (`PreviousPayload`: the fields it
/// shares are not read again, their numbers are the ones read before, one layout per event
/// class) gives what decoding each payload afresh gives: on every decoded line of bundled
/// traces in their order, and with copies edited in their digits and blanks between them.
final class PreviousPayloadTests: XCTestCase {
    /// The decoded lines of `rel` in input order: kind, name, payload after the header.
    static func lines(_ rel: String) throws -> [(DecoderKind, String, [UInt8])] {
        let tokenizer = LineTokenizer()
        var out: [(DecoderKind, String, [UInt8])] = []
        for line in try CommonEventPathTests.lines(rel) {
            line.withUnsafeBytes { p in
                guard case .event(let h) = tokenizer.classify(p) else { return }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: p[h.nameStart..<h.nameEnd]), as: UTF8.self)
                let kind = DecoderKind.forName(name)
                guard kind.isDecoded else { return }
                out.append((kind, name, Array(p[h.payloadStart..<p.count])))
            }
        }
        return out
    }

    /// `payload` with one digit changed, or a digit or blank inserted or removed, in its first
    /// `within` bytes after the filesystem prefix (where repeated fields are).
    static func edited(_ payload: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var m = payload
        let from = min(m.count, 38)
        guard m.count > from else { return m }
        let at = from + Int(rng.next() % UInt64(m.count - from))
        switch rng.next() % 4 {
        case 0: m[at] = 0x30 + UInt8(rng.next() % 10)
        case 1: m.insert(0x30 + UInt8(rng.next() % 10), at: at)
        case 2: m.remove(at: at)
        default: m.insert(0x20, at: at)
        }
        return m
    }

    func testDecodingWithPreviousPayloadsEqualsDecodingAfresh() throws {
        var rng = SplitMix(seed: 0x9A7)
        var compared = 0, edits = 0, events = 0
        for rel in ["Fixtures/cases/k6.18-xfstests-generic130/trace.txt.gz", "Fixtures/cases/k6.1-dio-splice/ftrace.txt.gz",
                    "Fixtures/kernel-6.18-samples/ftrace-k6.18-default-nocow-dio.txt",
                    "Fixtures/cases/k6.1-mutant-control-tracecmd/trace-cmd-report.txt.gz",
                    "Fixtures/synthetic/seed-4.2-generic-095/trace.txt"] {
            // The reader's decoder (layouts by name number, shared by class) and one that reads
            // every payload afresh (no number: no layout).
            let kept = EventDecoder()
            let fresh = EventDecoder()
            var ids: [String: Int] = [:]
            for (kind, name, payload) in try Self.lines(rel) {
                let id = ids[name] ?? ids.count
                ids[name] = id
                var inputs = [payload]
                if rng.next() % 3 == 0 {
                    inputs.append(Self.edited(payload, &rng))
                    inputs.append(payload)
                    edits += 1
                }
                for input in inputs {
                    input.withUnsafeBytes { p in
                        let a = kept.decode(kind, name: InternedString(name), id: id, p, 0, p.count)
                        let b = fresh.decode(kind, name: InternedString(name), p, 0, p.count)
                        XCTAssertEqual(a.event, b.event, "\(rel) \(name): \(String(decoding: input, as: UTF8.self))")
                        XCTAssertEqual(a.filesystem, b.filesystem)
                        XCTAssertEqual(a.malformed, b.malformed)
                        compared += 1
                        if a.event != nil { events += 1 }
                    }
                }
            }
        }
        XCTAssertGreaterThan(compared, 100_000)
        XCTAssertGreaterThan(edits, 20_000)
        XCTAssertGreaterThan(events, 90_000)
    }

    /// Payloads of one shape in a row: the fields before the first byte that differs are taken
    /// from the one before, with the blank after each; a field whose value grows or shrinks at
    /// its end is not.
    func testUnchangedFieldsEndBeforeTheFirstDifference() {
        let payloads = ["root=5(FS_TREE) ino=257 len=4096 refs=1 and bytes to compare words in",
                        "root=5(FS_TREE) ino=257 len=4096 refs=2 and bytes to compare words in",
                        "root=5(FS_TREE) ino=257 len=40960 refs=2 and bytes to compare words in",
                        "root=5(FS_TREE) ino=257 len=4096 refs=2 and bytes to compare words in",
                        "root=5(FS_TREE) ino=2570 len=4096 refs=2 and bytes to compare words in",
                        "root=5(FS_TREE) ino=2570 len=4096 refs=2 and bytes to compare words in"]
        // Through the layout learned from the first: fields, then "and", "bytes", ... as keys
        // would not be `key=value`; use the first four fields only.
        let texts = payloads.map { String($0.prefix(while: { $0 != "a" }).dropLast()) }
        let generic = PayloadFields()
        let fast = PayloadFields()
        let first = Array(texts[0].utf8)
        var layout: PayloadLayout!
        first.withUnsafeBytes { p in
            generic.load(p, 0, p.count)
            layout = PayloadLayout(generic, fieldKeys: OrderedExtentEvents.OrderedKey.all)
        }
        var unchanged: [Int] = []
        for text in texts {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { p in
                unchanged.append(layout.previous.unchangedFields(p, 0, p.count))
                XCTAssertTrue(fast.load(p, 0, p.count, layout: layout), text)
                generic.load(p, 0, p.count)
                XCTAssertEqual(PayloadLayoutTests.snapshot(fast, OrderedExtentEvents.OrderedKey.all),
                               PayloadLayoutTests.snapshot(generic, OrderedExtentEvents.OrderedKey.all), text)
                XCTAssertEqual(fast.unsigned(OrderedExtentEvents.OrderedKey.length), generic.unsigned(OrderedExtentEvents.OrderedKey.length), text)
                XCTAssertEqual(fast.unsigned(OrderedExtentEvents.OrderedKey.inode), generic.unsigned(OrderedExtentEvents.OrderedKey.inode), text)
            }
        }
        // Nothing kept before the first; refs differs; len grows; len shrinks; ino grows; all equal.
        XCTAssertEqual(unchanged, [0, 3, 2, 2, 1, 4])
    }
}
