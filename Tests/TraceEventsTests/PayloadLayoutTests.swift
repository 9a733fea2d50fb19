import Foundation
import XCTest
@testable import TraceEvents

/// `PayloadFields.load(layout:)` (the learned key sequence, checked in place) must find exactly
/// the fields `load` finds, or decline: on real payloads of every event name in bundled traces
/// of 4.2 to 6.18, and on mutated copies of them (a comma, a blank, an `=`, a byte cut).
final class PayloadLayoutTests: XCTestCase {
    /// Real payloads (after the `%pU: ` prefix) by event name, in input order.
    static func payloads() throws -> [String: [[UInt8]]] {
        var byName: [String: [[UInt8]]] = [:]
        let tokenizer = LineTokenizer()
        for rel in ["Fixtures/kernel-6.18-samples/ftrace-k6.18-default-nocow-dio.txt",
                    "Fixtures/kernel-6.18-samples/ftrace-k6.18-default-cow-fallback.txt",
                    "Fixtures/cases/k6.1-dio-splice/ftrace.txt.gz",
                    "Fixtures/cases/k6.18-xfstests-generic130/trace.txt.gz",
                    "Fixtures/cases/k6.1-mutant-control-tracecmd/trace-cmd-report.txt.gz",
                    "Fixtures/synthetic/seed-4.2-generic-095/trace.txt"] {
            for line in try CommonEventPathTests.lines(rel) {
                line.withUnsafeBytes { p in
                    guard case .event(let h) = tokenizer.classify(p) else { return }
                    let name = String(decoding: UnsafeRawBufferPointer(rebasing: p[h.nameStart..<h.nameEnd]), as: UTF8.self)
                    guard DecoderKind.forName(name).isDecoded else { return }
                    var start = h.payloadStart
                    if let (_, next) = FilesystemPrefix.parse(p, start, p.count) { start = next }
                    byName[name, default: []].append(Array(p[start..<p.count]))
                }
            }
        }
        return byName
    }

    /// Every field's key and value ranges, and the value each of the kind's keys finds.
    static func snapshot(_ f: PayloadFields, _ keys: [FieldKey]) -> [String] {
        var out = (0..<f.count).map { "\(f.keyRange($0)) \(f.valueRange($0))" }
        for key in keys { out.append("\(key.slot): \(String(describing: f.range(key)))") }
        return out
    }

    /// Mutations of `payload`: one byte replaced, one removed, a cut, a blank doubled.
    static func mutants(_ payload: [UInt8], _ rng: inout SystemRandomNumberGenerator) -> [[UInt8]] {
        guard !payload.isEmpty else { return [] }
        var out: [[UInt8]] = []
        for replacement: UInt8 in [0x2C, 0x20, 0x09, 0x3D, 0x78, 0x30] {
            var m = payload
            m[Int.random(in: 0..<m.count, using: &rng)] = replacement
            out.append(m)
        }
        var removed = payload
        removed.remove(at: Int.random(in: 0..<removed.count, using: &rng))
        out.append(removed)
        out.append(Array(payload.prefix(Int.random(in: 0..<payload.count, using: &rng))))
        if let blank = payload.firstIndex(of: 0x20) {
            var doubled = payload
            doubled.insert(0x20, at: blank)
            out.append(doubled)
        }
        out.append(payload + [0x20])
        out.append(payload + Array(" extra=1".utf8))
        return out
    }

    func testLayoutFindsWhatLoadFindsOnRealAndMutatedPayloads() throws {
        var rng = SystemRandomNumberGenerator()
        let generic = PayloadFields()
        let fast = PayloadFields()
        var taken = 0, plain = 0, learnt = 0, mutantsTaken = 0, names = 0
        for (name, payloads) in try Self.payloads().sorted(by: { $0.key < $1.key }) {
            let keys = DecoderKind.forName(name).fieldKeys
            var layout: PayloadLayout?
            // As the decoder does: a plain payload that its name's layout does not take is
            // learned from (the bundled traces mix formats of one name: ftrace and trace-cmd).
            for (n, payload) in payloads.prefix(3_000).enumerated() {
                payload.withUnsafeBytes { p in
                    generic.load(p, 0, p.count)
                    if generic.isPlainKeyValue { plain += 1 }
                    if let layout, fast.load(p, 0, p.count, layout: layout) {
                        taken += 1
                        XCTAssertTrue(generic.isPlainKeyValue, "not plain, yet through the layout: \(name)")
                        XCTAssertEqual(Self.snapshot(fast, keys), Self.snapshot(generic, keys), "\(name): \(String(decoding: payload, as: UTF8.self))")
                    } else if let learned = PayloadLayout(generic, fieldKeys: keys) {
                        layout = learned
                        learnt += 1
                    }
                }
                guard let layout, n % 4 == 0 else { continue }
                for mutant in Self.mutants(payload, &rng) {
                    mutant.withUnsafeBytes { p in
                        generic.load(p, 0, p.count)
                        guard fast.load(p, 0, p.count, layout: layout) else { return }
                        mutantsTaken += 1
                        XCTAssertEqual(Self.snapshot(fast, keys), Self.snapshot(generic, keys), "\(name) mutant: \(String(decoding: mutant, as: UTF8.self))")
                    }
                }
            }
            if layout != nil { names += 1 }
        }
        // Enough real payloads go through layouts for the comparison to mean something, and
        // nearly every plain one of a learned name does (values change, keys do not).
        XCTAssertGreaterThan(names, 12)
        XCTAssertGreaterThan(taken, 15_000)
        XCTAssertGreaterThan(Double(taken), 0.98 * Double(plain), "layouts learned: \(learnt)")
        XCTAssertGreaterThan(mutantsTaken, 4_000)
    }

    func testKeysAtTheEndOfTheBufferAreComparedInsideIt() {
        // Keys of 1 to 15 bytes ending the payload, in buffers shorter than 8 and 16 bytes.
        let generic = PayloadFields()
        let fast = PayloadFields()
        for text in ["a=1", "ab=", "r=2 s=3", "truncated_len=5", "x=1 truncated_len=", "bytes_left=4096 refs=2",
                     "k=1 compress_type=0", "abcdefghijklmno=1"] {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { p in
                generic.load(p, 0, p.count)
                guard let layout = PayloadLayout(generic, fieldKeys: []) else { return XCTFail(text) }
                XCTAssertTrue(fast.load(p, 0, p.count, layout: layout), text)
                XCTAssertEqual(Self.snapshot(fast, []), Self.snapshot(generic, []), text)
            }
            // The same keys with another byte before the last `=`: declined.
            var other = bytes
            if let eq = other.lastIndex(of: 0x3D), eq > 0 { other[eq - 1] ^= 0x01 }
            bytes.withUnsafeBytes { p in
                generic.load(p, 0, p.count)
                let layout = PayloadLayout(generic, fieldKeys: [])!
                other.withUnsafeBytes { q in XCTAssertFalse(fast.load(q, 0, q.count, layout: layout), text) }
            }
        }
    }

    func testLayoutsAreNotLearnedFromIrregularPayloads() {
        let fields = PayloadFields()
        for text in ["root = 5(FS_TREE), ino = 257, mod = 1", "a=1, b=2", "a=1 word b=2", "sixteen_chars_ky=1"] {
            Array(text.utf8).withUnsafeBytes { p in
                fields.load(p, 0, p.count)
                XCTAssertNil(PayloadLayout(fields, fieldKeys: []), text)
            }
        }
    }

    /// Records the keys a family decoder asks for, answering every one.
    final class Recorder: EventFields {
        var asked: [FieldKey] = []
        func has(_ key: FieldKey) -> Bool { asked.append(key); return true }
        func unsigned(_ key: FieldKey) -> UInt64? { asked.append(key); return 1 }
        func signed(_ key: FieldKey) -> Int64? { asked.append(key); return 1 }
        func bytes(_ key: FieldKey) -> UnsafeRawBufferPointer? { asked.append(key); return UnsafeRawBufferPointer(start: nil, count: 0) }
        func printedFlags(_ key: FieldKey, _ names: PrintedNames) -> UInt64? { asked.append(key); return 1 }
        func flag(_ key: FieldKey) -> Bool? { asked.append(key); return true }
        func orderedExtentFlags(_ key: FieldKey, modernOrder: Bool) -> OrderedExtentFlags? { asked.append(key); return [] }
        func function(_ key: FieldKey) -> String? { asked.append(key); return "f" }
        func register(_ key: FieldKey) -> Int64? { asked.append(key); return 0 }
    }

    func testEveryKeyADecoderReadsIsItsKindsKeyAtThatSlot() {
        // A layout's slot table is built from `fieldKeys`; a key read at a slot must be the one there.
        var kinds = 0
        for (name, kind) in DecoderKind.table.sorted(by: { $0.key < $1.key }) {
            let keys = kind.fieldKeys
            for (n, key) in keys.enumerated() { XCTAssertEqual(key.slot, n, "\(name) \(key.name)") }
            let recorder = Recorder()
            _ = FamilyDecoders.decode(kind, recorder)
            if kind == .transactionCommit || kind == .work(.done) { continue }
            XCTAssertFalse(recorder.asked.isEmpty, name)
            for key in recorder.asked {
                XCTAssertLessThan(key.slot, keys.count, "\(name) \(key.name)")
                guard key.slot < keys.count else { continue }
                XCTAssertEqual("\(keys[key.slot].name)", "\(key.name)", name)
                XCTAssertEqual("\(String(describing: keys[key.slot].alias))", "\(String(describing: key.alias))", name)
            }
            kinds += 1
        }
        XCTAssertGreaterThan(kinds, 30)
    }
}
