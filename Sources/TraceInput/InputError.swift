/// A fatal problem with an input: the file cannot be read, the gzip stream is corrupt, the
/// content is not a trace. Carries the file and, where known, the 1-based line.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// One line, `file:line: message`, for stderr.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
