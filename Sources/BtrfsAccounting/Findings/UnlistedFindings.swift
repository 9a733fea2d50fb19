/// Findings of one rule and severity beyond what a report lists (`Ledger.listedFindingsPerRule`).
///
/// A trace that lost millions of events can break a balance on every inode: generic/299 under a
/// 64 MiB buffer gave 640,631 findings (491,610 DIO041) and 1.7 GB of memory. The first findings of
/// each rule are listed with their events; the rest are counted here, by severity, and still set the
/// exit status.
public struct UnlistedFindings: Sendable, Equatable {
    public var rule: Rule
    public var severity: Severity
    public var count: Int

    public init(rule: Rule, severity: Severity, count: Int) {
        self.rule = rule
        self.severity = severity
        self.count = count
    }
}
