import Foundation
import XCTest
@testable import BtrfsAccounting
import TraceEvents
import TraceInput

enum FixturePaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Fixtures")

    /// Every real capture (text formats) under Fixtures/.
    static func realCaptures() -> [String] {
        var out: [String] = []
        for dir in ["kernel-6.1-qemu", "kernel-6.18-samples", "captures"] {
            let base = fixtures.appendingPathComponent(dir)
            guard let e = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let rel as String in e {
                let name = (rel as NSString).lastPathComponent
                let isTrace = name.hasPrefix("ftrace") || name.hasPrefix("trace-cmd-") || name.hasPrefix("perf-")
                if isTrace && (name.hasSuffix(".txt") || name.hasSuffix(".txt.gz")) && !name.contains("enabled-events") {
                    out.append(base.appendingPathComponent(rel).path)
                }
            }
        }
        return out.sorted()
    }

    static func path(_ rel: String) -> String { fixtures.appendingPathComponent(rel).path }
}

/// Reads a trace once into decoded events (for replay-based tests).
func decodedEvents(_ path: String) throws -> [TraceEvent] {
    let (source, format) = try TraceInputOpener.open(path: path)
    let reader = TraceReader(fileIndex: 0, fileName: path)
    var events: [TraceEvent] = []
    try reader.read(source, format: format) { events.append($0) }
    return events
}

func replay(_ events: [TraceEvent], name: String, skipping skip: Int? = nil) -> [Finding] {
    var ledger = Ledger(fileNames: [name])
    for (i, e) in events.enumerated() where i != skip { ledger.apply(e) }
    return ledger.finish().findings
}
