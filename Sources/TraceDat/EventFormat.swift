/// One event's `format` file as the kernel prints it in tracefs and trace.dat stores it:
///
/// ```
/// name: btrfs_space_reservation
/// ID: 1234
/// format:
/// 	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
/// 	field:__data_loc char[] type;	offset:24;	size:4;	signed:0;
///
/// print fmt: "%pU: %s: %llu %s %llu", REC->fsid, __get_str(type), ...
/// ```
///
/// Only what a record's fields need is kept: each field's offset, size, signedness and whether it
/// is a `__data_loc` / `__rel_loc` string, and the print format (for `__print_flags` values).
struct EventFormat {
    struct Field {
        var offset: Int
        var size: Int
        var signed: Bool
        var dynamic: Bool
        var relative: Bool
    }

    let system: String
    let name: String
    let id: Int
    let fields: [String: Field]
    let printFormat: String

    /// The `name:` and `ID:` of a format text, without parsing its fields (what opening needs).
    static func header(_ text: UnsafeRawBufferPointer) -> (name: String, id: Int)? {
        var name: String?
        var id: Int?
        for line in lines(text) {
            if line.starts(with: namePrefix) {
                name = String(decoding: line.dropFirst(namePrefix.count), as: UTF8.self).trimmingSpaces
            } else if line.starts(with: idPrefix) {
                id = Int(String(decoding: line.dropFirst(idPrefix.count), as: UTF8.self).trimmingSpaces)
            } else if line.starts(with: formatLine) {
                break
            }
            if name != nil && id != nil { break }
        }
        guard let name, let id, id >= 0, !name.isEmpty else { return nil }
        return (name, id)
    }

    /// Parses a whole format text; nil when it has no name or ID. Field lines that do not parse
    /// are left out (a record then lacks that field, as with an older kernel).
    init?(system: String, text: UnsafeRawBufferPointer) {
        guard let (name, id) = Self.header(text) else { return nil }
        self.system = system
        self.name = name
        self.id = id
        var fields: [String: Field] = [:]
        var printFormat = ""
        for line in Self.lines(text) {
            var rest = line.drop { $0 == ASCII.space || $0 == ASCII.tab }
            if rest.starts(with: Self.fieldPrefix) {
                rest = rest.dropFirst(Self.fieldPrefix.count)
                if let (fieldName, field) = Self.field(rest) { fields[fieldName] = field }
            } else if line.starts(with: Self.printPrefix) {
                printFormat = String(decoding: line.dropFirst(Self.printPrefix.count), as: UTF8.self)
            }
        }
        self.fields = fields
        self.printFormat = printFormat
    }

    /// The fields of `header_page` (`field: u64 timestamp;	offset:0;	size:8;	signed:0;`).
    static func fields(ofHeaderPage text: UnsafeRawBufferPointer) -> [String: Field] {
        var fields: [String: Field] = [:]
        for line in lines(text) {
            var rest = line.drop { $0 == ASCII.space || $0 == ASCII.tab }
            guard rest.starts(with: fieldPrefix) else { continue }
            rest = rest.dropFirst(fieldPrefix.count)
            if let (name, field) = field(rest) { fields[name] = field }
        }
        return fields
    }

    // MARK: - parsing

    private static let namePrefix = Array("name: ".utf8)
    private static let idPrefix = Array("ID: ".utf8)
    private static let formatLine = Array("format:".utf8)
    private static let fieldPrefix = Array("field:".utf8)
    private static let printPrefix = Array("print fmt: ".utf8)

    private static func lines(_ text: UnsafeRawBufferPointer) -> [Slice<UnsafeRawBufferPointer>] {
        text.split(separator: ASCII.newline, omittingEmptySubsequences: true)
    }

    /// `unsigned int ino;	offset:16;	size:8;	signed:0;` (after `field:`).
    private static func field(_ text: Slice<UnsafeRawBufferPointer>) -> (String, Field)? {
        let parts = text.split(separator: UInt8(ascii: ";")).map {
            String(decoding: $0, as: UTF8.self).trimmingSpaces
        }
        guard parts.count >= 3 else { return nil }
        let declaration = parts[0]
        var offset: Int?
        var size: Int?
        var signed = false
        for part in parts.dropFirst() {
            if part.hasPrefix("offset:") { offset = Int(part.dropFirst(7)) }
            else if part.hasPrefix("size:") { size = Int(part.dropFirst(5)) }
            else if part.hasPrefix("signed:") { signed = part.dropFirst(7) == "1" }
        }
        guard let offset, let size, offset >= 0, size >= 0, offset <= Int(UInt16.max), size <= Int(UInt16.max) else { return nil }
        // The name is the declaration's last word, without an array suffix: `char comm[16]`.
        var words = declaration.split(separator: " ")
        guard var last = words.popLast() else { return nil }
        if let bracket = last.firstIndex(of: "[") { last = last[..<bracket] }
        if last.isEmpty, let previous = words.popLast() { last = previous }
        guard !last.isEmpty else { return nil }
        let dynamic = declaration.hasPrefix("__data_loc") || declaration.hasPrefix("__rel_loc")
        return (String(last), Field(offset: offset, size: size, signed: signed, dynamic: dynamic,
                                    relative: declaration.hasPrefix("__rel_loc")))
    }

    /// The value of the `__print_flags` entry printed as `name` (`{ (1 << 18), "WRITE" }`), or 0.
    func flagValue(named flag: String) -> UInt64 {
        let text = Array(printFormat.utf8)
        let quoted = Array(("\"" + flag + "\"").utf8)
        guard text.count >= quoted.count else { return 0 }
        for start in 0...(text.count - quoted.count) where text[start..<start + quoted.count].elementsEqual(quoted) {
            // `{ EXPR, "NAME" }`: the expression between the brace and the comma before the name.
            guard let comma = text[..<start].lastIndex(of: UInt8(ascii: ",")),
                  let brace = text[..<comma].lastIndex(of: UInt8(ascii: "{")) else { continue }
            if let value = Self.evaluate(String(decoding: text[(brace + 1)..<comma], as: UTF8.self)) { return value }
        }
        return 0
    }

    /// A flag constant as the kernel prints it: `0x4`, `(1 << 18)`, `( int) (( __kernel_rwf_t)0x00000002)`.
    static func evaluate(_ expression: String) -> UInt64? {
        var numbers: [UInt64] = []
        var shift = false
        var index = expression.startIndex
        while index < expression.endIndex {
            let character = expression[index]
            if character == "<", expression[index...].hasPrefix("<<") {
                shift = true
                index = expression.index(index, offsetBy: 2)
                continue
            }
            if character.isNumber {
                var end = index
                while end < expression.endIndex, expression[end].isHexDigit || expression[end] == "x" || expression[end] == "X" {
                    end = expression.index(after: end)
                }
                let token = expression[index..<end]
                let value = token.hasPrefix("0x") || token.hasPrefix("0X") ? UInt64(token.dropFirst(2), radix: 16) : UInt64(token)
                guard let value else { return nil }
                numbers.append(value)
                // Integer suffixes: 1U, 1UL, 1ULL.
                while end < expression.endIndex, "uUlL".contains(expression[end]) { end = expression.index(after: end) }
                index = end
                continue
            }
            index = expression.index(after: index)
        }
        if shift {
            guard numbers.count == 2, numbers[1] < 64 else { return nil }
            return numbers[0] << numbers[1]
        }
        return numbers.last
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" }) else { return "" }
        return String(scalars[first...last])
    }
}

enum ASCII {
    static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
}
