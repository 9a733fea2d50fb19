public import BtrfsAccounting
import Foundation

/// Writes findings as SARIF 2.1.0: one run, `tool.driver.rules` from `Rule.all`, one result per
/// finding. The first event of a finding's chain is its location; the rest of the chain are
/// related locations with ids and messages. Output is deterministic (sorted keys, input order).
public enum SARIFReporter {
    public static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    public static let informationURI = "https://github.com/dio-trace/dio-trace"

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
        let results = findings.map { result(for: $0, artifacts: &artifacts, firstInput: inputs.first) }
        let run: [String: Any] = [
            "tool": ["driver": driver()],
            "artifacts": artifacts.paths.map { ["location": ["uri": uri(for: $0)]] },
            "results": results,
            "columnKind": "unicodeCodePoints",
        ]
        let log: [String: Any] = ["$schema": schemaURI, "version": "2.1.0", "runs": [run]]
        // JSONSerialization cannot fail on these plain dictionaries, arrays, strings and integers.
        let data = (try? JSONSerialization.data(withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func driver() -> [String: Any] {
        [
            "name": "dio-trace",
            "informationUri": informationURI,
            "rules": Rule.all.map { rule -> [String: Any] in
                [
                    "id": rule.id,
                    "name": rule.name,
                    "shortDescription": ["text": rule.shortDescription],
                    "fullDescription": ["text": rule.fullDescription],
                    "help": ["text": rule.help],
                    "defaultConfiguration": ["level": level(rule.defaultSeverity)],
                ]
            },
        ]
    }

    private static func result(for finding: Finding, artifacts: inout ArtifactTable, firstInput: String?) -> [String: Any] {
        var result: [String: Any] = [
            "ruleId": finding.rule.id,
            "level": level(finding.severity),
            "message": ["text": finding.message],
            "properties": properties(of: finding),
        ]
        if let index = Rule.all.firstIndex(of: finding.rule) { result["ruleIndex"] = index }
        if let first = finding.events.first {
            result["locations"] = [location(first, artifacts: &artifacts)]
        } else if let firstInput {
            result["locations"] = [["physicalLocation": ["artifactLocation": artifactLocation(firstInput, artifacts: &artifacts)]]]
        }
        let rest = finding.events.dropFirst()
        if !rest.isEmpty {
            result["relatedLocations"] = rest.enumerated().map { offset, event -> [String: Any] in
                var related = location(event, artifacts: &artifacts)
                related["id"] = offset + 1
                return related
            }
        }
        return result
    }

    private static func location(_ event: EventReference, artifacts: inout ArtifactTable) -> [String: Any] {
        var physical: [String: Any] = ["artifactLocation": artifactLocation(event.file, artifacts: &artifacts)]
        if event.line >= 1 { physical["region"] = ["startLine": event.line] }
        return ["physicalLocation": physical, "message": ["text": describe(event)]]
    }

    private static func artifactLocation(_ path: String, artifacts: inout ArtifactTable) -> [String: Any] {
        ["uri": uri(for: path), "index": artifacts.index(of: path)]
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

    private static func properties(of finding: Finding) -> [String: Any] {
        var properties: [String: Any] = ["unit": finding.unit.rawValue, "ruleName": finding.rule.name]
        if let filesystem = finding.filesystem { properties["filesystem"] = filesystem.description }
        if let root = finding.root { properties["root"] = root }
        if let inode = finding.inode { properties["inode"] = inode }
        if let amount = finding.amount { properties["amount"] = amount }
        if finding.elidedEvents > 0 { properties["elidedEvents"] = finding.elidedEvents }
        if let io = finding.io {
            var description: [String: Any] = ["task": io.task, "pid": Int(io.pid), "source": io.source]
            if let offset = io.offset { description["offset"] = offset }
            if let length = io.length { description["length"] = length }
            if let result = io.result { description["result"] = result }
            properties["io"] = description
        }
        if !finding.reports.isEmpty {
            properties["kernelReports"] = finding.reports.map { ["title": $0.title, "file": $0.file, "line": $0.line, "reason": $0.reason] }
        }
        return properties
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
