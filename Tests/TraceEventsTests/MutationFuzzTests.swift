import Foundation
import XCTest
@testable import TraceEvents
import TraceInput

/// Random corruption of real event lines must never crash or trap the tokenizer or decoders:
/// every line ends up an event, a counted malformed line, or a counted unrecognized line.
final class MutationFuzzTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testMutatedRealLinesNeverCrash() throws {
        var lines: [[UInt8]] = []
        for rel in ["Fixtures/kernel-6.18-samples/ftrace-k6.18-default-nocow-dio.txt",
                    "Fixtures/kernel-6.18-samples/trace-cmd-3.1.6-report-R.txt",
                    "Fixtures/kernel-6.18-samples/perf-6.1-script_F_comm_pid_tid_cpu_time_event_trace.txt",
                    "Fixtures/kernel-6.18-samples/ftrace-k6.18-latency.txt",
                    "Fixtures/synthetic/seed-4.2-generic-095/trace.txt"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(rel), encoding: .utf8)
            lines += text.split(separator: "\n").map { Array($0.utf8) }
        }
        lines.append(Array("              dd-1 [000] ..... 1.000000: p_btrfs_dio_write_0: (x) ret=-0x8000000000000000".utf8))
        lines.append(Array("              dd-1 [000] ..... 1.000000: r_btrfs_dio_write_0: (a <- b) ret=0x8000000000000000".utf8))
        var rng = SplitMix(seed: 0x5EED)
        let alphabet = Array("0123456789abcdefx-=:[]()|, \t.+".utf8) + [0x00, 0xFF, 0x80]
        var corpus: [UInt8] = []
        for _ in 0..<30_000 {
            var line = lines[Int(rng.next() % UInt64(lines.count))]
            let edits = 1 + Int(rng.next() % 6)
            for _ in 0..<edits where !line.isEmpty {
                let at = Int(rng.next() % UInt64(line.count))
                switch rng.next() % 5 {
                case 0: line[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: line.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                case 2: line.removeSubrange(at...)
                case 3: line.insert(contentsOf: Array("99999999999999999999999".utf8), at: at)
                default: line.remove(at: at)
                }
            }
            corpus += line + [0x0A]
        }
        let reader = TraceReader(fileIndex: 0, fileName: "fuzz")
        var decoded = 0
        try reader.read(MemorySource(bytes: corpus, chunkSizes: [7919]), format: .ftrace, chunkSize: 4096) { event in
            if case .dataLoss = event.payload {} else { decoded += 1 }
        }
        let s = reader.statistics
        XCTAssertEqual(s.lines, 30_000)
        XCTAssertEqual(s.decodedEvents, UInt64(decoded))
        XCTAssertGreaterThan(s.events, 1000)
        XCTAssertGreaterThan(s.malformedLines + s.unrecognizedLines, 100)
    }
}

/// Deterministic generator so a failure reproduces.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
