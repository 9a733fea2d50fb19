import Foundation
import XCTest
@testable import TraceEvents
import TraceInput

/// `LineTokenizer.commonEvent` (the in-place hot path) must accept only lines that `classify`
/// reads as events, with the very same header; it must also take the common kernel lines, or it
/// saves nothing.
final class CommonEventPathTests: XCTestCase {
    static let root = MutationFuzzTests.root

    /// Every header field, to compare the two paths.
    static func fields(_ h: EventHeader) -> [String] {
        ["\(h.style)", "\(h.timestamp)", "\(h.timestampKind)", "\(h.cpu)", "\(h.pid)", "\(h.tgid)",
         "\(h.commStart)", "\(h.commEnd)", "\(h.instanceStart)", "\(h.instanceEnd)", "\(h.nameStart)",
         "\(h.nameEnd)", "\(h.hasSubsystemPrefix)", "\(h.nameHash)", "\(h.payloadStart)"]
    }

    /// Names of the lines checked so far (real and mutated): the fast path with it must read
    /// every line as without it.
    let names = EventNameCache()
    var cacheHits = 0
    /// The context columns of the last line taken, kept across the lines checked: the fast path
    /// with it must read every line as without it.
    let context = RepeatedContext()
    var contextHits = 0

    /// Whether the fast path took the line (and agreed with `classify`, and with itself when it
    /// recognizes names through `names`).
    func check(_ line: [UInt8], file: StaticString = #filePath, lineNumber: UInt = #line) -> Bool {
        line.withUnsafeBytes { p in
            var h = EventHeader()
            // A stale header from another line must not leak into this one.
            h.tgid = 77
            h.instanceEnd = 3
            let fast = LineTokenizer().commonEvent(p, into: &h)
            for _ in 0..<2 {
                var cached = EventHeader()
                XCTAssertEqual(LineTokenizer().commonEvent(p, into: &cached, names: names), fast,
                               "with the name cache: \(String(decoding: line, as: UTF8.self))", file: file, line: lineNumber)
                if fast { XCTAssertEqual(Self.fields(cached), Self.fields(h), String(decoding: line, as: UTF8.self), file: file, line: lineNumber) }
            }
            var repeated = EventHeader()
            let viaContext = LineTokenizer().commonEvent(p, into: &repeated, names: names, context: context)
            XCTAssertEqual(viaContext, fast, "with the context columns of the line before: \(String(decoding: line, as: UTF8.self))",
                           file: file, line: lineNumber)
            if fast {
                XCTAssertEqual(Self.fields(repeated), Self.fields(h), String(decoding: line, as: UTF8.self), file: file, line: lineNumber)
                if repeated.contextRepeated { contextHits += 1 }
            }
            if fast, names.lookup(p, h.nameStart, p.count) != nil { cacheHits += 1 }
            guard fast else { return false }
            guard case .event(let g) = LineTokenizer().classify(p) else {
                XCTFail("fast path took a line classify does not read as an event: \(String(decoding: line, as: UTF8.self))",
                        file: file, line: lineNumber)
                return true
            }
            XCTAssertEqual(Self.fields(h), Self.fields(g), String(decoding: line, as: UTF8.self), file: file, line: lineNumber)
            return true
        }
    }

    static func lines(_ rel: String) throws -> [[UInt8]] {
        var data = try Data(contentsOf: root.appendingPathComponent(rel))
        if rel.hasSuffix(".gz") {
            data = Data(try GzipSource(wrapping: MemorySource(bytes: Array(data), name: rel)).readAll())
        }
        return data.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
    }

    func testFastPathAgreesWithClassifyOnRealLines() throws {
        var taken = 0, events = 0, total = 0
        let samples = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Fixtures/kernel-6.18-samples").path)
            .filter { $0.hasSuffix(".txt") }.sorted().map { "Fixtures/kernel-6.18-samples/" + $0 }
        for rel in samples + ["Fixtures/cases/k6.1-dio-splice/ftrace.txt.gz", "Fixtures/cases/k6.18-xfstests-generic130/trace.txt.gz",
                              "Fixtures/synthetic/seed-4.2-generic-095/trace.txt"] {
            for line in try Self.lines(rel) {
                total += 1
                if line.withUnsafeBytes({ if case .event = LineTokenizer().classify($0) { return true }; return false }) { events += 1 }
                if check(line) { taken += 1 }
            }
        }
        XCTAssertGreaterThan(total, 140_000)
        // Nearly every event line's name is recognized by the cache (long enough lines).
        XCTAssertGreaterThan(Double(cacheHits), 0.9 * Double(taken), "cache hits \(cacheHits) of \(taken)")
        // The kernel's own layout is nearly all of these lines; the rest (perf, latency, tgid,
        // trace-cmd instances and ts-diff, counters) are read by `classify` alone.
        XCTAssertGreaterThan(Double(taken), 0.9 * Double(events), "fast path took \(taken) of \(events) events")
    }

    func testFastPathAgreesWithClassifyOnMutatedLines() throws {
        var lines = try Self.lines("Fixtures/kernel-6.18-samples/ftrace-k6.18-default-nocow-dio.txt")
        lines += try Self.lines("Fixtures/kernel-6.18-samples/trace-cmd-3.1.6-report-instances.txt")
        lines += try Self.lines("Fixtures/kernel-6.18-samples/ftrace-k6.18-tgid.txt")
        lines = lines.filter { !$0.isEmpty }
        var rng = SplitMix(seed: 0xFA57)
        let alphabet = Array("0123456789abcdefx-=:[]()|, \t.+#$<Cc".utf8) + [0x00, 0xFF]
        var taken = 0
        for _ in 0..<40_000 {
            var line = lines[Int(rng.next() % UInt64(lines.count))]
            for _ in 0..<(1 + Int(rng.next() % 3)) where !line.isEmpty {
                // Edits land in the context columns most of the time: that is what the fast path reads.
                let at = Int(rng.next() % UInt64(min(line.count, rng.next() % 2 == 0 ? 64 : line.count)))
                switch rng.next() % 4 {
                case 0: line[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: line.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                case 2: line.removeSubrange(at...)
                default: line.remove(at: at)
                }
            }
            if check(line) { taken += 1 }
        }
        XCTAssertGreaterThan(taken, 5_000)
    }

    /// Each real line right after a copy of it edited in its context columns, and the other way
    /// round: the columns kept from one must not stand for the other's (a pid, comm or CPU
    /// digit, a blank, a bracket changed).
    func testRepeatedColumnsAreComparedByteForByte() throws {
        var lines = try Self.lines("Fixtures/kernel-6.18-samples/ftrace-k6.18-default-nocow-dio.txt")
        lines += try Self.lines("Fixtures/kernel-6.18-samples/trace-cmd-3.1.6-report-instances.txt")
        lines += try Self.lines("Fixtures/kernel-6.18-samples/ftrace-k6.18-tgid.txt")
        lines = lines.filter { $0.count >= 48 }
        var rng = SplitMix(seed: 0xC01)
        let alphabet = Array("0123456789abx-:[]() \t.".utf8)
        var taken = 0
        for _ in 0..<20_000 {
            let line = lines[Int(rng.next() % UInt64(lines.count))]
            guard let close = line.firstIndex(of: 0x5D) else { continue }
            var edited = line
            let at = Int(rng.next() % UInt64(min(close + 2, line.count)))
            switch rng.next() % 3 {
            case 0: edited[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            case 1: edited.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
            default: edited.remove(at: at)
            }
            for l in rng.next() % 2 == 0 ? [line, edited, line] : [edited, line, edited] where check(l) { taken += 1 }
        }
        XCTAssertGreaterThan(taken, 20_000)
        XCTAssertGreaterThan(contextHits, 2_000, "lines after an identical one are read through the kept columns")
    }

    /// Real lines among copies edited in their flags column, the blanks after it, the seconds
    /// and the dot, or the decimals after it, in random orders: the flags and seconds kept from
    /// one line (two at a time) must stand for another's only when they are the same bytes,
    /// whatever the line they came from (a digit, a flag, a blank, the dot changed, the seconds
    /// one digit longer).
    func testRepeatedFlagsAndSecondsAreComparedByteForByte() throws {
        var lines = try Self.lines("Fixtures/kernel-6.18-samples/ftrace-k6.18-default-nocow-dio.txt")
        lines += try Self.lines("Fixtures/cases/k6.1-dio-splice/ftrace.txt.gz").prefix(4_000)
        lines = lines.filter { $0.count >= 64 && $0.first != 0x23 }
        var rng = SplitMix(seed: 0x5EC)
        let alphabet = Array("0123456789.dNHhs1 \t:".utf8)
        var taken = 0
        var secondsHits = 0
        for _ in 0..<10_000 {
            let line = lines[Int(rng.next() % UInt64(lines.count))]
            guard let close = line.firstIndex(of: 0x5D), close + 24 < line.count else { continue }
            var variants = [line]
            for _ in 0..<3 {
                var edited = line
                let at = close + 2 + Int(rng.next() % 22)
                switch rng.next() % 3 {
                case 0: edited[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: edited.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                default: edited.remove(at: at)
                }
                variants.append(edited)
            }
            for _ in 0..<8 {
                let l = variants[Int(rng.next() % UInt64(variants.count))]
                if l.withUnsafeBytes({ context.matches($0) && context.secondsMatch($0) != nil }) { secondsHits += 1 }
                if check(l) { taken += 1 }
            }
        }
        XCTAssertGreaterThan(taken, 30_000)
        XCTAssertGreaterThan(secondsHits, 10_000, "lines repeating kept flags and seconds are read from the decimals on")
    }

    /// The flags column alternating between two values over a task's lines (the preemption
    /// depth of events under a lock), the seconds turning over: both strings kept are used, and
    /// each line is read as `classify` reads it.
    func testAlternatingFlagsAndTurningSeconds() {
        let tail = ": btrfs_space_reservation: e25b7993-37f4-4efc-bb70-2b63ed15b35f: space_info: 1 reserve 4096"
        var hits = 0
        for (flags, time) in [("...1.", "753.999997"), (".....", "753.999998"), ("...1.", "753.999998"), (".....", "753.999999"),
                              ("...1.", "754.000000"), (".....", "754.000001"), ("...1.", "754.000002"), (".....", "754.000003"),
                              ("...2.", "754.000004"), (".....", "754.000005"), ("d..1.", "1754.000006"), ("d..1.", "1754.000007")] {
            let line = Array("          xfs_io-11006   [000] \(flags)   \(time)\(tail)".utf8)
            if line.withUnsafeBytes({ context.matches($0) && context.secondsMatch($0) != nil }) { hits += 1 }
            XCTAssertTrue(check(line), String(decoding: line, as: UTF8.self))
        }
        // Kept, most recent first: [...1.753] [.....753, ...1.753] hit hit [...1.754, .....753]
        // [.....754, ...1.754] hit hit [...2.754, .....754] hit [d..1.1754, ...2.754] hit.
        XCTAssertEqual(hits, 6)
    }

    /// A decoded event after an event not decoded with the same columns, after one of another
    /// task: each carries its own comm (a comm kept from a line whose comm was not read would be
    /// another task's).
    func testCommsOfRepeatedColumnsAfterEventsNotDecoded() throws {
        let payload = "e25b7993-37f4-4efc-bb70-2b63ed15b35f: type=DATA old=4096 diff=-4096"
        let text = """
                  xfs_io-11006   [000] ...1.   753.100001: update_bytes_may_use: \(payload)
                 kworker-41      [000] ...1.   753.100002: some_other_event: not decoded by the ledger at all here
                 kworker-41      [000] ...1.   753.100003: update_bytes_may_use: \(payload)
                  xfs_io-11006   [000] ...1.   753.100004: update_bytes_may_use: \(payload)
                  xfs_io-11006   [000] ...1.   753.100005: update_bytes_may_use: \(payload)
                 kworker-41      [001] ...1.   753.100006: update_bytes_may_use: \(payload)

            """
        let reader = TraceReader(fileIndex: 0, fileName: "comms.txt")
        var seen: [(String, Int32, Int32)] = []
        try Array(text.utf8).withUnsafeBytes { p in
            try reader.read(mapped: p, format: .ftrace) { seen.append(($0.comm.string, $0.pid, $0.cpu)) }
        }
        XCTAssertEqual(seen.map(\.0), ["xfs_io", "kworker", "xfs_io", "xfs_io", "kworker"])
        XCTAssertEqual(seen.map(\.1), [11006, 41, 11006, 11006, 41])
        XCTAssertEqual(seen.map(\.2), [0, 0, 0, 0, 1])
    }

    /// The reader gives the same events and counts with and without the fast path in play: the
    /// lines of a capture read through `read`, compared with `classify`-only tokenizing.
    func testLayoutsTheFastPathLeavesToClassify() {
        for line in ["              dd-16153   (  16153) [001] .....   417.938742: btrfs_space_reservation: f",
                     "foo:               dd-22523 [000]   488.819026: btrfs_ordered_extent_add: x",
                     "              dd-22248 [001]   471.291041: (+5)     btrfs_space_reservation: x",
                     "           <...>-21116 [000] .....            3: btrfs_tree_lock: x",
                     "              dd 22563/22564 [001]   491.801107988:          iomap:iomap_dio_rw_begin: dev",
                     "CPU:1 [LOST 5 EVENTS]",
                     "cpus=2",
                     "# tracer: nop"] {
            let bytes = Array(line.utf8)
            let taken = check(bytes)
            switch line.first {
            case "#", "c", "C", " " where line.contains("(  "), " " where line.contains("   3:"), " " where line.contains("22563/"):
                XCTAssertFalse(taken, line)
            default:
                break
            }
        }
        // Digit runs at the limits of the in-place CPU and pid reading, colons in comms (an
        // instance prefix or not), comms of 16 bytes: taken or not, read as `classify` reads them.
        for line in ["              dd-22248 [123456789] .....   471.291035: btrfs_inode_new: x",
                     "              dd-22248 [1234567890] .....   471.291035: btrfs_inode_new: x",
                     "              dd-123456789 [001] .....   471.291035: btrfs_inode_new: x",
                     "              dd-1234567890 [001] .....   471.291035: btrfs_inode_new: x",
                     "          a:b:cd-7 [001] .....   471.291035: btrfs_inode_new: x",
                     "inst:  0123456789abcdef-7 [001] .....   471.291035: btrfs_inode_new: x",
                     "  0123456789abcde:-7 [001] .....   471.291035: btrfs_inode_new: x",
                     "  0123456789abcd:  -7 [001] .....   471.291035: btrfs_inode_new: x",
                     "a:  b-7 [001] .....   471.291035: btrfs_inode_new: x"] {
            _ = check(Array(line.utf8))
        }
        XCTAssertTrue(check(Array("              dd-123456789 [123456789] .....   471.291035: btrfs_inode_new: x".utf8)))
        // The common layout itself, with a comm of spaces and dashes, and nanoseconds.
        XCTAssertTrue(check(Array("       my dd-x y-2388    [001] ..... 10.000001: iomap_dio_rw_begin: dev 0:40".utf8)))
        XCTAssertTrue(check(Array("              dd-22248 [001]   471.291035900: iomap_dio_rw_begin:   dev".utf8)))
        XCTAssertTrue(check(Array("            cat-22248 [001]   471.291035: btrfs:btrfs_ordered_extent_add: x".utf8)))
    }

    /// Comms starting with `<` (the idle task's `<idle>`, an unrecorded `<...>`: 4,534 end-I/O
    /// lines of the 6.1 splice capture) are event lines the fast path takes, with the header
    /// `classify` gives; the stack-trace lines starting with `<` are left to `classify`.
    func testAngleBracketCommsAndStackTraceLines() {
        XCTAssertTrue(check(Array("          <idle>-0       [001] dNH2.   241.990537: btrfs_writepage_end_io_hook: 600cffdf-5f8a-49a6-ad63-e5d60d9a9151: root=5(FS_TREE) ino=257 start=262144 end=266239 uptodate=1".utf8)))
        XCTAssertTrue(check(Array("           <...>-21116 [000] .....   471.291035: btrfs_tree_lock: x".utf8)))
        XCTAssertTrue(check(Array("<idle>-0 [001] d.h2. 242.003533: btrfs_writepage_end_io_hook: x".utf8)))
        for line in ["<stack trace>", " <stack trace>", "<user stack trace>", "<stack trace> x: y: z"] {
            XCTAssertFalse(check(Array(line.utf8)), line)
            let isStackTrace = Array(line.utf8).withUnsafeBytes { p in
                if case .stackTrace = LineTokenizer().classify(p) { return true }
                return false
            }
            XCTAssertTrue(isStackTrace, line)
        }
    }
}

/// Timestamps as `classify` reads them (the unrolled `secs.usecs` / `secs.nsecs` path, and the
/// general one for the rest) against a plain reading of the rule: seconds, a dot and at most nine
/// decimals, in nanoseconds, nil on overflow; digits alone are a counter.
final class TimestampParsingTests: XCTestCase {
    func reference(_ ts: String) -> (UInt64, TimestampKind)? {
        let parts = ts.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }), !parts[0].isEmpty else { return nil }
        if parts.count == 1 { return UInt64(parts[0]).map { ($0, .counter) } }
        guard parts.count == 2, !parts[1].isEmpty, parts[1].count <= 9, let whole = UInt64(parts[0]), let frac = UInt64(parts[1]) else { return nil }
        var scale: UInt64 = 1
        for _ in parts[1].count..<9 { scale *= 10 }
        let (a, o1) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        let (b, o2) = frac.multipliedReportingOverflow(by: scale)
        let (c, o3) = a.addingReportingOverflow(b)
        return o1 || o2 || o3 ? nil : (c, .nanoseconds)
    }

    func testTimestampsMatchTheRule() {
        var rng = SplitMix(seed: 0x7157)
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(rng.next() % 10)) }) }
        var cases = ["753.580631", "1.000000001", "0.000000", "999999999.999999", "1000000000.000000", "18446744073.709551615",
                     "18446744073.709551616", "12.3456789", "12.12345", "12.1234567890", "5", "12.", ".5"]
        for _ in 0..<20_000 {
            let whole = digits(1 + Int(rng.next() % 12))
            switch rng.next() % 4 {
            case 0: cases.append(whole)
            case 1: cases.append(whole + "." + digits(6))
            case 2: cases.append(whole + "." + digits(9))
            default: cases.append(whole + "." + digits(Int(rng.next() % 12)))
            }
        }
        for ts in cases {
            let line = "              dd-1     [001] .....   \(ts): btrfs_x: a=1"
            let got: (UInt64, TimestampKind)? = Array(line.utf8).withUnsafeBytes { p in
                guard case .event(let h) = LineTokenizer().classify(p) else { return nil }
                return (h.timestamp, h.timestampKind)
            }
            let expected = reference(ts)
            XCTAssertEqual(got?.0, expected?.0, ts)
            XCTAssertEqual(got?.1, expected?.1, ts)
        }
    }
}

/// The eight-bytes-at-a-time blank scans give what the byte loops give, on every position of
/// random runs of spaces, tabs and other bytes (runs longer than a word, tabs inside them, the
/// buffer's ends).
final class BlankScanTests: XCTestCase {
    func testSkipSpaceRunAndTrimMatchTheByteLoops() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x20, 0x20, 0x20, 0x20, 0x09, 0x61, 0x5B, 0x2D]
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            bytes.withUnsafeBytes { p in
                for i in 0...count {
                    XCTAssertEqual(Bytes.skipSpaceRun(p, i, count), Bytes.skipSpaces(p, i, count), "\(bytes) from \(i)")
                    for lower in 0...i {
                        var e = i
                        while e > lower && Bytes.isSpace(p[e - 1]) { e -= 1 }
                        XCTAssertEqual(Bytes.trimSpacesBackward(p, lower: lower, i), e, "\(bytes) \(lower)..<\(i)")
                    }
                }
            }
        }
    }
}
