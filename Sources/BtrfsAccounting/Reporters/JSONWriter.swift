/// A minimal deterministic JSON writer: keys are written in the order given, strings escaped per
/// RFC 8259. Used for the documented `--format json` schema.
public struct JSONWriter {
    public private(set) var output = ""
    private var needsComma: [Bool] = [false]

    public init() {}

    public static func escape(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
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
    }

    public mutating func beginObject(_ key: String? = nil) { open(key, "{") }
    public mutating func endObject() { close("}") }
    public mutating func beginArray(_ key: String? = nil) { open(key, "[") }
    public mutating func endArray() { close("]") }

    private mutating func open(_ key: String?, _ bracket: String) {
        separator()
        if let key { output += JSONWriter.escape(key) + ":" }
        output += bracket
        needsComma.append(false)
    }

    private mutating func close(_ bracket: String) {
        needsComma.removeLast()
        output += bracket
    }

    public mutating func raw(_ key: String?, _ literal: String) {
        separator()
        if let key { output += JSONWriter.escape(key) + ":" }
        output += literal
    }

    public mutating func string(_ key: String?, _ value: String?) { raw(key, value.map(JSONWriter.escape) ?? "null") }
    public mutating func int<T: BinaryInteger>(_ key: String?, _ value: T?) { raw(key, value.map { String($0) } ?? "null") }
    public mutating func bool(_ key: String?, _ value: Bool) { raw(key, value ? "true" : "false") }
}
