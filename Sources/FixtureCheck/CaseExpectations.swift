public import BtrfsAccounting

/// One finding a case requires: a rule and an inode at least, optionally severity, root and the I/O.
public struct ExpectedFinding: Sendable, Equatable {
    public var ruleID: String
    /// The inode, or nil for findings about no inode (`inode=-`, e.g. DIO020 or DIO050).
    public var inode: UInt64?
    public var severity: Severity?
    public var root: UInt64?
    /// The I/O's task name (`task=fio`), when given.
    public var task: String?
    /// The I/O's pid (`pid=123`), when given.
    public var pid: Int32?
    /// 1-based line in the expectations file.
    public var line: Int

    public init(ruleID: String, inode: UInt64?, severity: Severity? = nil, root: UInt64? = nil,
                task: String? = nil, pid: Int32? = nil, line: Int = 0) {
        self.ruleID = ruleID
        self.inode = inode
        self.severity = severity
        self.root = root
        self.task = task
        self.pid = pid
        self.line = line
    }

    /// True when `finding` satisfies every field this expectation names.
    public func isSatisfied(by finding: Finding) -> Bool {
        guard finding.rule.id == ruleID, finding.inode == inode else { return false }
        if let severity, finding.severity != severity { return false }
        if let root, finding.root != root { return false }
        if let task, finding.io?.task != task { return false }
        if let pid, finding.io?.pid != pid { return false }
        return true
    }

    /// The expectation line, `finding DIO001 inode=257 severity=error`.
    public var text: String {
        var parts = ["finding", ruleID, "inode=\(inode.map(String.init) ?? "-")"]
        if let severity { parts.append("severity=\(severity.rawValue)") }
        if let root { parts.append("root=\(root)") }
        if let task { parts.append("task=\(ExpectationsParser.quoteIfNeeded(task))") }
        if let pid { parts.append("pid=\(pid)") }
        return parts.joined(separator: " ")
    }
}

/// A kernel report the case's kernel log must contain, by title.
public struct ExpectedReport: Sendable, Equatable {
    public var title: String
    public var line: Int

    public init(title: String, line: Int = 0) {
        self.title = title
        self.line = line
    }

    /// The expectation line, `report "WARNING in btrfs_destroy_inode"`.
    public var text: String { "report \(ExpectationsParser.quote(title))" }
}

/// The contents of a case's `expect.txt`.
public struct CaseExpectations: Sendable, Equatable {
    public var findings: [ExpectedFinding]
    public var reports: [ExpectedReport]
    /// Findings beyond the expected ones do not fail the case.
    public var allowsOtherFindings: Bool
    /// Decoded reports beyond the expected ones do not fail the case.
    public var allowsOtherReports: Bool
    /// The comment block at the top of the file, kept by `--update`.
    public var headerComments: [String]

    public init(findings: [ExpectedFinding] = [], reports: [ExpectedReport] = [], allowsOtherFindings: Bool = false,
                allowsOtherReports: Bool = false, headerComments: [String] = []) {
        self.findings = findings
        self.reports = reports
        self.allowsOtherFindings = allowsOtherFindings
        self.allowsOtherReports = allowsOtherReports
        self.headerComments = headerComments
    }
}

/// A syntax error in an expectations file: `file:line: message`.
public struct ExpectationsSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}
