/// One output format of dio-trace. Every writer (text, JSON, SARIF, JUnit, Markdown, HTML,
/// Perfetto, and `decode`'s text and JSON) conforms: it takes one value, the report of its
/// command, and renders the whole document, deterministic byte for byte. JSON writers build their
/// document with `JSONWriter`, the one JSON escaping of the package.
///
/// ```swift
/// enum CountWriter: ReportWriter {
///     static let format = "count"
///     static func render(_ subject: [Int]) -> String { "\(subject.count)\n" }
/// }
/// ```
public protocol ReportWriter {
    associatedtype Subject
    /// The format's name as `--format` spells it.
    static var format: String { get }
    /// The whole document, ending in a newline.
    static func render(_ subject: Subject) -> String
}
