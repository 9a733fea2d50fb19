/// The one JSON writer of dio-trace: every JSON output (`analyze --format json|sarif|perfetto`,
/// `decode --format json`, the HTML report's embedded data, `check --sarif`) goes through it, so
/// all of them escape strings with the same function (`escape`). Keys are written in the order
/// given; output is deterministic.
public struct JSONWriter {
    public enum Layout: Sendable { case compact, pretty }

    public private(set) var output = ""
    private var needsComma: [Bool] = [false]
    private let layout: Layout

    public init(layout: Layout = .compact) { self.layout = layout }

    /// A JSON string literal (RFC 8259): `"` and `\` escaped, `\n` `\r` `\t` by name, every other
    /// C0 control character and DEL (0x7f) as `\u00XX`; everything else as is (UTF-8). DEL is
    /// legal unescaped JSON, but it is invisible in a terminal and in a browser: escaping it
    /// keeps every output readable and the same.
    public static func escape(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
        if layout == .pretty && needsComma.count > 1 {
            output += "\n" + String(repeating: "  ", count: needsComma.count - 1)
        }
    }

    private mutating func key(_ key: String?) {
        separator()
        if let key { output += JSONWriter.escape(key) + (layout == .pretty ? " : " : ":") }
    }

    public mutating func beginObject(_ key: String? = nil) { open(key, "{") }
    public mutating func endObject() { close("}") }
    public mutating func beginArray(_ key: String? = nil) { open(key, "[") }
    public mutating func endArray() { close("]") }

    private mutating func open(_ key: String?, _ bracket: String) {
        self.key(key)
        output += bracket
        needsComma.append(false)
    }

    private mutating func close(_ bracket: String) {
        let hadMembers = needsComma.removeLast()
        if layout == .pretty && hadMembers { output += "\n" + String(repeating: "  ", count: needsComma.count - 1) }
        output += bracket
    }

    /// A value written as given: `null`, a number, or JSON made by another writer.
    public mutating func raw(_ key: String?, _ literal: String) {
        self.key(key)
        output += literal
    }

    public mutating func string(_ key: String?, _ value: String?) { raw(key, value.map(JSONWriter.escape) ?? "null") }
    public mutating func int<T: BinaryInteger>(_ key: String?, _ value: T?) { raw(key, value.map { String($0) } ?? "null") }
    public mutating func bool(_ key: String?, _ value: Bool) { raw(key, value ? "true" : "false") }
    public mutating func null(_ key: String?) { raw(key, "null") }

    /// An object written by `body` (keyed when `key` is given).
    public mutating func object(_ key: String? = nil, _ body: (inout JSONWriter) -> Void) {
        beginObject(key)
        body(&self)
        endObject()
    }

    /// An array written by `body`.
    public mutating func array(_ key: String? = nil, _ body: (inout JSONWriter) -> Void) {
        beginArray(key)
        body(&self)
        endArray()
    }
}
