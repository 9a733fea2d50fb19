import Foundation
import XCTest
@testable import TraceEvents

/// iomap payloads read in the kernel's key order (`IomapWords`) must decode to the event the
/// tokenize-and-look-up path gives, or decline: on every iomap payload of the bundled 6.18
/// captures and the 6.5 example of the patch that added the tracepoints, and on mutated copies
/// (words dropped, swapped, repeated, a value emptied or turned into a key).
final class IomapWordsTests: XCTestCase {
    static let wildExample = CommonEventPathTests.root
        .appendingPathComponent("../shared/corpora/wild-kernel-inputs/traces/iomap-dio-tracepoints-example.txt")

    static func iomapPayloads() throws -> [(kind: DecoderKind, payload: [UInt8])] {
        var out: [(DecoderKind, [UInt8])] = []
        for (name, payloads) in try PayloadLayoutTests.payloads().sorted(by: { $0.key < $1.key }) where name.hasPrefix("iomap_") {
            out += payloads.map { (DecoderKind.forName(name), $0) }
        }
        if let text = try? String(contentsOf: wildExample, encoding: .utf8) {
            let tokenizer = LineTokenizer()
            for line in text.split(separator: "\n") {
                let bytes = Array(line.utf8)
                bytes.withUnsafeBytes { p in
                    guard case .event(let h) = tokenizer.classify(p) else { return }
                    let name = String(decoding: UnsafeRawBufferPointer(rebasing: p[h.nameStart..<h.nameEnd]), as: UTF8.self)
                    guard name.hasPrefix("iomap_") else { return }
                    out.append((DecoderKind.forName(name), Array(p[h.payloadStart..<p.count])))
                }
            }
        }
        return out
    }

    static func decode(_ kind: DecoderKind, _ payload: [UInt8], inOrder: Bool, _ f: PayloadFields) -> AccountingEvent? {
        payload.withUnsafeBytes { p in
            switch kind {
            case .directIOBegin: IomapEvents.begin(p, 0, p.count, fields: f, inOrder: inOrder)
            case .directIOEnd(let queued): IomapEvents.end(queued: queued, p, 0, p.count, fields: f, inOrder: inOrder)
            case .iomapIteration: IomapEvents.iteration(p, 0, p.count, fields: f, inOrder: inOrder)
            default: nil
            }
        }
    }

    static func taken(_ kind: DecoderKind, _ payload: [UInt8]) -> Bool {
        payload.withUnsafeBytes { p in
            switch kind {
            case .directIOBegin: IomapWords.begin(p, 0, p.count) != nil
            case .directIOEnd(false): IomapWords.complete(p, 0, p.count) != nil
            case .iomapIteration: IomapWords.iteration(p, 0, p.count) != nil
            default: false
            }
        }
    }

    /// Word-level mutations: each word dropped, neighbours swapped, a word repeated, a value
    /// emptied (two blanks), a value replaced by a key the decoders look up, a trailing word.
    static func mutants(_ payload: [UInt8]) -> [[UInt8]] {
        let words = payload.split(separator: 0x20).map(Array.init)
        func joined(_ w: [[UInt8]]) -> [UInt8] { Array(w.joined(separator: [0x20])) }
        var out: [[UInt8]] = []
        for k in words.indices {
            var dropped = words
            dropped.remove(at: k)
            out.append(joined(dropped))
            var emptied = words
            emptied[k] = []
            out.append(joined(emptied))
            for key in ["dev", "ino", "pos", "offset", "length", "flags", "aio", "error", "ret", "status"] {
                var replaced = words
                replaced[k] = Array(key.utf8)
                out.append(joined(replaced))
            }
            var repeated = words
            repeated.insert(words[k], at: k)
            out.append(joined(repeated))
            if k + 1 < words.count {
                var swapped = words
                swapped.swapAt(k, k + 1)
                out.append(joined(swapped))
            }
        }
        out.append(payload + Array(" extra 1".utf8))
        out.append(payload + [0x20, 0x20])
        return out
    }

    func testInOrderReadingDecodesWhatTheLookupDecodes() throws {
        let payloads = try Self.iomapPayloads()
        XCTAssertGreaterThan(payloads.count, 10_000, "the bundled 6.18 captures carry iomap events")
        let f = PayloadFields()
        var taken = 0
        var seen = Set<[UInt8]>()
        var mutantsTaken = 0, mutantsChecked = 0
        for (kind, payload) in payloads {
            let generic = Self.decode(kind, payload, inOrder: false, f)
            XCTAssertNotNil(generic, String(decoding: payload, as: UTF8.self))
            XCTAssertEqual(Self.decode(kind, payload, inOrder: true, f), generic, String(decoding: payload, as: UTF8.self))
            if Self.taken(kind, payload) { taken += 1 }
            // Mutants of each distinct shape of payload (values vary, words do not).
            let shape = payload.map { Bytes.isDigit($0) ? 0x30 : $0 }
            guard seen.insert(shape).inserted else { continue }
            for m in Self.mutants(payload) {
                mutantsChecked += 1
                if Self.taken(kind, m) { mutantsTaken += 1 }
                XCTAssertEqual(Self.decode(kind, m, inOrder: true, f), Self.decode(kind, m, inOrder: false, f),
                               "\(kind): \(String(decoding: m, as: UTF8.self))")
            }
        }
        // The kernel's renderings are read in order (iomap_dio_rw_queued is not).
        let queued = payloads.filter { $0.kind == .directIOEnd(queued: true) }.count
        XCTAssertGreaterThan(Double(taken), 0.99 * Double(payloads.count - queued), "\(taken) of \(payloads.count)")
        XCTAssertGreaterThan(mutantsChecked, 1_000)
        XCTAssertGreaterThan(mutantsTaken, 100, "some mutants keep the format's order and are read in order")
    }

    /// `dio_flags  aio 1`: the kernel prints `%s` empty when no flag is set, and one blank
    /// separates a key from its value, so the two blanks are an empty value and `aio` a key.
    func testEmptyFlagNamesLeaveTheNextKeyAKey() {
        let payload = Array("dev 7:7 ino 0xe size 0x1000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT|WRITE dio_flags  aio 1".utf8)
        let f = PayloadFields()
        for inOrder in [true, false] {
            guard case .directIOBegin(let b)? = Self.decode(.directIOBegin, payload, inOrder: inOrder, f) else {
                return XCTFail("not decoded (inOrder \(inOrder))")
            }
            XCTAssertEqual(b.device, 7 << 20 | 7)
            XCTAssertEqual(b.inode, 0xE)
            XCTAssertEqual(b.length, 0x1000)
            XCTAssertTrue(b.isWrite)
            XCTAssertTrue(b.isAsync, "aio 1 after empty dio_flags (inOrder \(inOrder))")
        }
        XCTAssertTrue(Self.taken(.directIOBegin, payload))
    }

    /// 6.1 (no status), 6.12 (`processed`), 6.18 (`status`) `iomap_iter` renderings: the mask
    /// in parentheses, and the names when it is absent.
    func testIterationAcrossVersions() {
        let f = PayloadFields()
        let cases: [(String, UInt64)] = [
            ("dev 0:43 ino 0x101 pos 0x0 length 0x1000 flags WRITE|DIRECT (0x11) ops btrfs_dio_iomap_ops caller __iomap_dio_rw+0x1cb/0x830", 0x11),
            ("dev 0:43 ino 0x101 pos 0x0 length 0x1000 processed 0 flags WRITE|DIRECT (0x11) ops 0xffffffff82489700 caller x+0x1/0x2", 0x11),
            ("dev 0:43 ino 0x101 pos 0x0 length 0x1000 status 0 flags WRITE (0x1) ops 0xffffffff82489700 caller x+0x1/0x2", 0x1),
            ("dev 0:43 ino 0x101 pos 0x0 length 0x1000 status -5 flags WRITE|DIRECT ops 0xffffffff82489700", IomapIteration.writeFlag | IomapIteration.directFlag),
        ]
        for (text, mask) in cases {
            let payload = Array(text.utf8)
            XCTAssertTrue(Self.taken(.iomapIteration, payload), text)
            for inOrder in [true, false] {
                guard case .iomapIteration(let it)? = Self.decode(.iomapIteration, payload, inOrder: inOrder, f) else {
                    XCTFail(text); continue
                }
                XCTAssertEqual(it.inode, 0x101)
                XCTAssertEqual(it.length, 0x1000)
                XCTAssertEqual(it.flags, mask, text)
            }
        }
    }
}
