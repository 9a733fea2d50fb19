import BtrfsAccounting
import Foundation
import ReportOutput
import XCTest

/// `--format perfetto` on real captures, checked record by record by scripts/validate-perfetto.py
/// (the Trace Event Format's required fields per phase, ts in microseconds, nesting per thread,
/// metadata names) and for what it must show: counters per leaking inode, a slice per direct
/// write on its task's named thread, an instant per finding with its message.
final class PerfettoFormatTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func analyze(_ rel: String) throws -> AnalysisReport {
        var options = AnalysisOptions()
        options.recordTimeline = true
        return try Analysis.run(paths: [Self.root.appendingPathComponent(rel).path], options: options)
    }

    func testRealCapturesPassTheFormatCheck() throws {
        for rel in ["Fixtures/mutants/efault-skip-release/ftrace.txt.gz", "Fixtures/mutants/efault-skip-release/trace-cmd-report.txt.gz",
                    "Fixtures/mutants/nocow-release-extents/ftrace.txt.gz", "Fixtures/mutants/control/ftrace.txt.gz",
                    "Fixtures/kernel-6.1-qemu/dio-aio/ftrace.txt.gz", "Fixtures/kernel-6.18-samples/ftrace-k6.18-trace_pipe-lost-events.txt",
                    "Fixtures/kernel-6.18-samples/ftrace-k6.18-default-nocow-dio.txt"] {
            let text = PerfettoReport.render(try analyze(rel))
            let result = try validate(text)
            XCTAssertEqual(result.status, 0, "\(rel):\n\(result.output)")
        }
    }

    func testShowsBalancesWindowsThreadsAndFindings() throws {
        let report = try analyze("Fixtures/mutants/efault-skip-release/ftrace.txt.gz")
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(PerfettoReport.render(report).utf8)) as? [String: Any])
        let events = try XCTUnwrap(doc["traceEvents"] as? [[String: Any]])
        func of(_ ph: String) -> [[String: Any]] { events.filter { $0["ph"] as? String == ph } }
        let threadNames = Set(of("M").filter { $0["name"] as? String == "thread_name" }.compactMap { ($0["args"] as? [String: Any])?["name"] as? String })
        XCTAssertTrue(threadNames.contains("dio_efault-2193"), "\(threadNames.sorted())")
        let processes = of("M").filter { $0["name"] as? String == "process_name" }
        XCTAssertEqual(processes.count, 1)
        // The writer's slices are on its own thread (tid = pid).
        let slices = of("X").filter { $0["tid"] as? Int == 2193 }
        XCTAssertFalse(slices.isEmpty)
        // Counters of each leaking inode end at the amount its finding holds.
        for f in report.findings where f.rule == .leakAtEvictMetadata {
            let name = "inode \(f.inode ?? 0) (root 5)"
            let last = try XCTUnwrap(of("C").last { $0["name"] as? String == name }, name)
            XCTAssertEqual((last["args"] as? [String: Any])?["metadata_reserved_bytes"] as? Int, Int(f.amount ?? -1), name)
        }
        let instants = of("i").filter { ($0["cat"] as? String)?.hasPrefix("finding") == true }
        XCTAssertEqual(instants.count, report.findings.count)
        XCTAssertEqual(Set(instants.compactMap { ($0["args"] as? [String: Any])?["message"] as? String }), Set(report.findings.map(\.message)))
        // ts is microseconds: the first reservation of inode 262 is at 295.436505 s.
        XCTAssertTrue(of("C").contains { ($0["ts"] as? Double) == 295_436_505.0 })
    }

    /// The check can fail: each broken record is caught.
    func testValidatorRejectsBrokenRecords() throws {
        let broken = [
            #"{"traceEvents":[{"name":"a","ph":"X","ts":1,"pid":1,"tid":1}]}"#,                          // X without dur
            #"{"traceEvents":[{"name":"a","ph":"i","ts":1,"pid":1,"tid":1,"s":"x"}]}"#,                  // bad scope
            #"{"traceEvents":[{"name":"a","ph":"C","ts":1,"pid":1,"tid":1,"args":{"v":"1"}}]}"#,          // non-number counter
            #"{"traceEvents":[{"name":"a","ph":"E","ts":1,"pid":1,"tid":1}]}"#,                          // E without B
            #"{"traceEvents":[{"name":"a","ph":"B","ts":1,"pid":1,"tid":1}]}"#,                          // B never ended
            #"{"traceEvents":[{"name":"a","ph":"X","ts":1,"dur":5,"pid":1,"tid":1},{"name":"b","ph":"X","ts":2,"dur":9,"pid":1,"tid":1}]}"#,
            #"{"traceEvents":[{"name":"bogus","ph":"M","pid":1,"tid":1,"args":{"name":"x"}}]}"#,
            #"{"traceEvents":[{"name":"a","ph":"i","ts":5,"pid":1,"tid":1},{"name":"b","ph":"i","ts":4,"pid":1,"tid":1}]}"#,
            #"{"traceEvents":[{"name":"a","ph":"i","pid":1,"tid":1}]}"#,                                 // no ts
            #"{"events":[]}"#,
        ]
        for text in broken {
            XCTAssertEqual(try validate(text).status, 1, text)
        }
        XCTAssertEqual(try validate(#"{"traceEvents":[{"name":"a","ph":"X","ts":1,"dur":5,"pid":1,"tid":1},{"name":"b","ph":"X","ts":2,"dur":1,"pid":1,"tid":1}]}"#).status, 0)
    }

    func validate(_ text: String) throws -> (status: Int32, output: String) {
        try runPython(on: text, [Self.root.appendingPathComponent("scripts/validate-perfetto.py").path])
    }
}
