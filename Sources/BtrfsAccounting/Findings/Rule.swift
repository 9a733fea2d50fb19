/// A check with a stable ID. IDs are external contracts (JSON `rule`, SARIF `ruleId`, JUnit
/// names): never rename one; add a new rule instead.
public struct Rule: Sendable, Hashable {
    public let id: String
    public let name: String
    public let defaultSeverity: Severity
    public let shortDescription: String
    public let fullDescription: String
    public let help: String
}
