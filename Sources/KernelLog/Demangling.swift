/// Minimal Itanium C++ demangling of symbol names in frames (`_Z8fakeNameiii` → `fakeName`,
/// `_ZN3foo3barEv` → `foo::bar`), parameters dropped, as syzkaller shows C++ frames in titles.
/// Anything not understood is returned unchanged (Rust v0 `_R…` names included).
enum Demangling {
    static func filter(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard bytes.count > 3, bytes[0] == UInt8(ascii: "_"), bytes[1] == UInt8(ascii: "Z") else { return name }
        var position = 2
        var parts: [String] = []
        if bytes[position] == UInt8(ascii: "N") {
            position += 1
            while position < bytes.count, bytes[position] != UInt8(ascii: "E") {
                guard let part = sourceName(bytes, &position) else { return name }
                parts.append(part)
            }
            guard position < bytes.count, !parts.isEmpty else { return name }
        } else {
            guard let part = sourceName(bytes, &position) else { return name }
            parts.append(part)
        }
        return parts.joined(separator: "::")
    }

    /// `<length><identifier>`
    private static func sourceName(_ bytes: [UInt8], _ position: inout Int) -> String? {
        guard let number = NumberScanner.decimal(bytes, at: position, end: bytes.count), let length = number.value,
              length > 0, length <= UInt64(bytes.count - number.end) else { return nil }
        let end = number.end + Int(length)
        let text = bytes.text(from: number.end, to: end)
        position = end
        return text
    }
}
