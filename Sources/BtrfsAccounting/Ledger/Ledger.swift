public import TraceEvents

/// Replays accounting events (placeholder while the ledger lands).
public struct Ledger {
    let fileNames: [String]
    public init(fileNames: [String]) { self.fileNames = fileNames }
    public mutating func apply(_ event: TraceEvent) {}
    public mutating func finish() -> (findings: [Finding], inodes: [InodeBalance], generation: String) { ([], [], "unknown") }
}
