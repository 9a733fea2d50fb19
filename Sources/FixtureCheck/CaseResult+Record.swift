import BtrfsAccounting
import Foundation
import TraceEvents

/// A `CaseResult` as JSON, the way an isolated child process hands its result to `check`.
struct CaseResultRecord: Codable {
    struct EventRecord: Codable {
        var file: String, line: Int, timestamp: UInt64?, task: String, pid: Int32, event: String
    }
    struct IORecord: Codable {
        var task: String, pid: Int32, offset: UInt64?, length: UInt64?, source: String, result: Int64?
    }
    struct ReportRecord: Codable {
        var title: String, file: String, line: Int, reason: String
    }
    struct FindingRecord: Codable {
        var rule: String, severity: String, filesystemHigh: UInt64?, filesystemLow: UInt64?, root: UInt64?, inode: UInt64?
        var io: IORecord?, amount: Int64?, unit: String, message: String, events: [EventRecord], elidedEvents: Int
        var reports: [ReportRecord]
    }

    var outcome: String
    var details: [String]
    var inputs: [String]?
    var findings: [FindingRecord]?
    var generations: [String]?
    var reportTitles: [String]
    /// Events read (for the progress line of the parent `check`).
    var events: UInt64?

    init(_ result: CaseResult) {
        switch result.outcome {
        case .passed: (outcome, details) = ("passed", [])
        case .failed(let lines): (outcome, details) = ("failed", lines)
        case .updated(let lines): (outcome, details) = ("updated", lines)
        case .error(let message): (outcome, details) = ("error", [message])
        }
        inputs = result.report?.inputs
        generations = result.report?.generations
        findings = result.report?.findings.map(Self.record(of:))
        reportTitles = result.reportTitles
        events = result.report?.statistics.events
    }

    private static func record(of finding: Finding) -> FindingRecord {
        FindingRecord(
            rule: finding.rule.id, severity: finding.severity.rawValue, filesystemHigh: finding.filesystem?.high,
            filesystemLow: finding.filesystem?.low, root: finding.root, inode: finding.inode,
            io: finding.io.map { IORecord(task: $0.task, pid: $0.pid, offset: $0.offset, length: $0.length, source: $0.source, result: $0.result) },
            amount: finding.amount, unit: finding.unit.rawValue, message: finding.message,
            events: finding.events.map { EventRecord(file: $0.file, line: $0.line, timestamp: $0.timestamp, task: $0.task, pid: $0.pid, event: $0.event) },
            elidedEvents: finding.elidedEvents,
            reports: finding.reports.map { ReportRecord(title: $0.title, file: $0.file, line: $0.line, reason: $0.reason) })
    }

    /// The result for `fixtureCase`; nil when the record names an unknown rule, severity or outcome.
    func result(for fixtureCase: FixtureCase, duration: Double) -> CaseResult? {
        let outcome: CaseOutcome
        switch self.outcome {
        case "passed": outcome = .passed
        case "failed": outcome = .failed(details)
        case "updated": outcome = .updated(details)
        case "error": outcome = .error(details.first ?? "")
        default: return nil
        }
        var report: AnalysisReport?
        if let inputs, let records = findings {
            var findings: [Finding] = []
            for record in records {
                guard let rule = Rule.all.first(where: { $0.id == record.rule }),
                      let severity = Severity(rawValue: record.severity) else { return nil }
                var filesystem: FilesystemID?
                if let high = record.filesystemHigh, let low = record.filesystemLow { filesystem = FilesystemID(high: high, low: low) }
                var finding = Finding(
                    rule: rule, severity: severity, filesystem: filesystem, root: record.root, inode: record.inode,
                    io: record.io.map { IODescription(task: $0.task, pid: $0.pid, offset: $0.offset, length: $0.length, source: $0.source, result: $0.result) },
                    amount: record.amount, unit: AmountUnit(rawValue: record.unit) ?? .bytes, message: record.message,
                    events: record.events.map { EventReference(file: $0.file, line: $0.line, timestamp: $0.timestamp, task: $0.task, pid: $0.pid, event: $0.event) },
                    elidedEvents: record.elidedEvents)
                finding.reports = record.reports.map { AttachedReport(title: $0.title, file: $0.file, line: $0.line, reason: $0.reason) }
                findings.append(finding)
            }
            var statistics = TraceStatistics()
            statistics.events = events ?? 0
            report = AnalysisReport(inputs: inputs, findings: findings, statistics: statistics, inodes: [],
                                    generations: generations ?? [])
        }
        return CaseResult(fixtureCase: fixtureCase, outcome: outcome, duration: duration, report: report, reportTitles: reportTitles)
    }
}

extension CaseRunner {
    /// Runs one case and returns its result as one line of JSON: what an isolated child prints.
    public func runAsChild(_ fixtureCase: FixtureCase) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(CaseResultRecord(run(fixtureCase)))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes what `runAsChild` printed.
    static func decodeChildOutput(_ data: Data, for fixtureCase: FixtureCase, duration: Double) -> CaseResult? {
        guard let record = try? JSONDecoder().decode(CaseResultRecord.self, from: data) else { return nil }
        return record.result(for: fixtureCase, duration: duration)
    }
}
