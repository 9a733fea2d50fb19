/// The printk caller id (`CONFIG_PRINTK_CALLER`): `[ T123]` is a task id, `[ C1]` a CPU
/// (printed while in interrupt context).
public struct CallerID: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case task
        case cpu
    }

    public var kind: Kind
    public var id: UInt32

    public init(kind: Kind, id: UInt32) {
        self.kind = kind
        self.id = id
    }

    public var description: String { (kind == .task ? "T" : "C") + String(id) }
}

/// Which stream a log line belongs to: reports are assembled from lines of one context only.
enum LineContext: Hashable, Sendable {
    /// No recognizable prefix: the line is kept whole.
    case none
    /// A timestamp (or other log prefix) but no caller id.
    case console
    case caller(CallerID)
}
