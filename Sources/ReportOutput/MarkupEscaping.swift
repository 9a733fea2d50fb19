/// The one escaping of text for XML and HTML (JUnit, the HTML report): the five markup characters
/// as entities, tab and line breaks as character references, characters XML 1.0 cannot hold
/// (other C0 controls, surrogates, U+FFFE/U+FFFF) replaced by U+FFFD.
public enum MarkupEscaping {
    /// Text for attribute values and element content.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n": result += "&#10;"
            case "\t": result += "&#9;"
            case "\r": result += "&#13;"
            default:
                let value = scalar.value
                let allowed = value >= 0x20 && !(0xD800...0xDFFF).contains(value) && value != 0xFFFE && value != 0xFFFF
                result.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return result
    }
}
