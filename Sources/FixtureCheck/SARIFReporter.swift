public import BtrfsAccounting
import Foundation
public import ReportOutput

/// Writes findings as SARIF 2.1.0: one run, `tool.driver.rules` from `Rule.all`, one result per
/// finding. The first event of a finding's chain is its location; the rest of the chain are
/// related locations with ids and messages. Written with `JSONWriter` (the package's one JSON
/// escaping); output is deterministic (fixed key order, input order).
public enum SARIFReporter: ReportWriter {
    public typealias Subject = AnalysisReport
    public static let format = "sarif"
    public static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    public static let informationURI = "https://github.com/dio-trace/dio-trace"

    /// The SARIF log for one analysis (`analyze --format sarif`).
    public static func render(_ report: AnalysisReport) -> String { document(for: report) }

    /// The SARIF log for one analysis (`analyze --format sarif`).
    public static func document(for report: AnalysisReport) -> String {
        document(findings: report.findings, inputs: report.inputs)
    }

    /// The SARIF log for a `check` run: every case's findings in one run, inputs in case order.
    public static func document(for suites: [CheckSuite]) -> String {
        let reports = suites.flatMap(\.results).compactMap(\.report)
        return document(findings: reports.flatMap(\.findings), inputs: reports.flatMap(\.inputs))
    }

    /// The SARIF log for `findings` over `inputs`, ending in a newline.
    public static func document(findings: [Finding], inputs: [String]) -> String {
        var artifacts = ArtifactTable()
        inputs.forEach { _ = artifacts.index(of: $0) }
        // Results first: they add the artifacts their events name.
        var results = JSONWriter(layout: .pretty)
        results.array { w in
            for finding in findings { result(for: finding, artifacts: &artifacts, firstInput: inputs.first, &w) }
        }
        var w = JSONWriter(layout: .pretty)
        w.object { w in
            w.string("$schema", schemaURI)
            w.array("runs") { w in
                w.object { w in
                    w.array("artifacts") { w in
                        for path in artifacts.paths {
                            w.object { w in w.object("location") { w in w.string("uri", uri(for: path)) } }
                        }
                    }
                    w.string("columnKind", "unicodeCodePoints")
                    w.raw("results", indented(results.output, levels: 3))
                    w.object("tool") { w in driver(&w) }
                }
            }
            w.string("version", "2.1.0")
        }
        return w.output + "\n"
    }

    /// JSON made at depth 0, placed at depth `levels`.
    private static func indented(_ json: String, levels: Int) -> String {
        json.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 ? String($0.element) : String(repeating: "  ", count: levels) + $0.element }
            .joined(separator: "\n")
    }

    private static func driver(_ w: inout JSONWriter) {
        w.object("driver") { w in
            w.string("informationUri", informationURI)
            w.string("name", "dio-trace")
            w.array("rules") { w in
                for rule in Rule.all {
                    w.object { w in
                        w.object("defaultConfiguration") { w in w.string("level", level(rule.defaultSeverity)) }
                        w.object("fullDescription") { w in w.string("text", rule.fullDescription) }
                        w.object("help") { w in w.string("text", rule.help) }
                        w.string("id", rule.id)
                        w.string("name", rule.name)
                        w.object("shortDescription") { w in w.string("text", rule.shortDescription) }
                    }
                }
            }
        }
    }

    private static func result(for finding: Finding, artifacts: inout ArtifactTable, firstInput: String?, _ w: inout JSONWriter) {
        w.object { w in
            w.string("level", level(finding.severity))
            if let first = finding.events.first {
                w.array("locations") { w in location(first, id: nil, artifacts: &artifacts, &w) }
            } else if let firstInput {
                w.array("locations") { w in
                    w.object { w in
                        w.object("physicalLocation") { w in artifactLocation(firstInput, artifacts: &artifacts, &w) }
                    }
                }
            }
            w.object("message") { w in w.string("text", finding.message) }
            properties(of: finding, &w)
            let rest = finding.events.dropFirst()
            if !rest.isEmpty {
                w.array("relatedLocations") { w in
                    for (offset, event) in rest.enumerated() { location(event, id: offset + 1, artifacts: &artifacts, &w) }
                }
            }
            w.string("ruleId", finding.rule.id)
            if let index = Rule.all.firstIndex(of: finding.rule) { w.int("ruleIndex", index) }
        }
    }

    private static func location(_ event: EventReference, id: Int?, artifacts: inout ArtifactTable, _ w: inout JSONWriter) {
        w.object { w in
            if let id { w.int("id", id) }
            w.object("message") { w in w.string("text", describe(event)) }
            w.object("physicalLocation") { w in
                artifactLocation(event.file, artifacts: &artifacts, &w)
                if event.line >= 1 { w.object("region") { w in w.int("startLine", event.line) } }
            }
        }
    }

    private static func artifactLocation(_ path: String, artifacts: inout ArtifactTable, _ w: inout JSONWriter) {
        let index = artifacts.index(of: path)
        w.object("artifactLocation") { w in
            w.int("index", index)
            w.string("uri", uri(for: path))
        }
    }

    /// `btrfs_inode_evict by fio-812 at 5123.000451`.
    static func describe(_ event: EventReference) -> String {
        var text = "\(event.event) by \(event.task)-\(event.pid)"
        if let timestamp = event.timestamp {
            let micro = String(timestamp % 1_000_000_000 / 1000)
            text += " at \(timestamp / 1_000_000_000)." + String(repeating: "0", count: 6 - micro.count) + micro
        }
        return text
    }

    private static func properties(of finding: Finding, _ w: inout JSONWriter) {
        w.object("properties") { w in
            if let amount = finding.amount { w.int("amount", amount) }
            if finding.elidedEvents > 0 { w.int("elidedEvents", finding.elidedEvents) }
            if let filesystem = finding.filesystem { w.string("filesystem", filesystem.description) }
            if let inode = finding.inode { w.int("inode", inode) }
            if let io = finding.io {
                w.object("io") { w in
                    if let length = io.length { w.int("length", length) }
                    if let offset = io.offset { w.int("offset", offset) }
                    w.int("pid", io.pid)
                    if let result = io.result { w.int("result", result) }
                    w.string("source", io.source)
                    w.string("task", io.task)
                }
            }
            if !finding.reports.isEmpty {
                w.array("kernelReports") { w in
                    for r in finding.reports {
                        w.object { w in
                            w.string("file", r.file)
                            w.int("line", r.line)
                            w.string("reason", r.reason)
                            w.string("title", r.title)
                        }
                    }
                }
            }
            if let root = finding.root { w.int("root", root) }
            w.string("ruleName", finding.rule.name)
            w.string("unit", finding.unit.rawValue)
        }
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .note: "note"
        case .warning: "warning"
        case .error: "error"
        }
    }

    /// A relative path stays relative (percent-encoded, `./` dropped); an absolute one becomes `file://`.
    static func uri(for path: String) -> String {
        var path = path
        while path.hasPrefix("./") { path.removeFirst(2) }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/!$&'()*+,;=:@")
        let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }

    private struct ArtifactTable {
        var paths: [String] = []
        var indices: [String: Int] = [:]

        mutating func index(of path: String) -> Int {
            if let index = indices[path] { return index }
            indices[path] = paths.count
            paths.append(path)
            return paths.count - 1
        }
    }
}

/// The SARIF 2.1.0 log for `analyze --format sarif`.
public func sarifDocument(for report: AnalysisReport) -> String {
    SARIFReporter.document(for: report)
}
