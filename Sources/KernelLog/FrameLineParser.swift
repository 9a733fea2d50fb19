/// Parses one call-trace line (message part, prefixes removed) into a frame, byte by byte.
///
/// Accepted shapes:
/// - x86-64 ≥4.15 `  func+0x1/0x2 [mod]`, `  ? func+0x1/0x2`
/// - old x86 ` [<ffffffff81984058>] dump_stack+0x45/0x57`, ` [<…>] ? func`, ` <IRQ>  [<…>] func`
/// - arm64 `  func+0x18/0x2c (P)`; arm32 `[<80de0078>] (dump_backtrace) from [<80de0574>] (show_stack+0x28/0x2c)`,
///   arm32 without kallsyms `Function entered at [<c00154dc>] from [<c0012454>]` (address only)
/// - powerpc `[c00000007a3efa20] [c00000000030a060] func+0x7b0/0x13a0 (unreliable)`
/// - s390 ` [<0000021761df6538>] func+0x198/0x1a0`, unreliable ` ([<…>] func+0x194/0x1a0)`
/// - RISC-V `[<ffffffe002150a3a>] dump_stack+0x8e/0xb4`
/// - build ids `func+0x114/0x200 [drm 03d0…fd27]`, LINEINFO `func+0x1c6/0xff0 (fs/read_write.c:686)`
enum FrameLineParser {
    enum Parsed {
        case marker(StackContext?, closing: Bool)
        case frame(StackFrame, marker: StackContext?)
    }

    static func parse(_ bytes: [UInt8], start: Int, end: Int) -> Parsed? {
        var position = start
        skipSpaces(bytes, &position, end)
        var marker: StackContext?
        var sawMarker = false
        var closing = false
        // <IRQ>, </IRQ>, <TASK>, <NMI>, <SOFTIRQ>, <#DF>, <EOI> (old kernels put a frame after it).
        while position < end, bytes[position] == ASCII.less {
            var close = position + 1
            while close < end, close - position < 16, bytes[close] != ASCII.greater { close += 1 }
            guard close < end, bytes[close] == ASCII.greater else { break }
            var nameStart = position + 1
            closing = false
            if nameStart < close, bytes[nameStart] == ASCII.slash { nameStart += 1; closing = true }
            let name = bytes.text(from: nameStart, to: close)
            guard !name.isEmpty, name.utf8.allSatisfy({ ASCII.isLetter($0) || $0 == UInt8(ascii: "#") || ASCII.isDigit($0) }) else {
                break
            }
            sawMarker = true
            switch name {
            case "IRQ": marker = closing ? .task : .irq
            case "EOI": marker = .task; closing = true
            case "TASK": marker = closing ? nil : .task
            case "NMI": marker = closing ? .task : .nmi
            case "SOFTIRQ": marker = closing ? .task : .softirq
            case "#DF": marker = closing ? .task : .doubleFault
            default: marker = closing ? nil : .exception
            }
            position = close + 1
            skipSpaces(bytes, &position, end)
        }
        // arm32 without CONFIG_KALLSYMS: "Function entered at [<c00154dc>] from [<c0012454>]".
        if bytes.hasPrefix(functionEntered, at: position, end: end),
           let entered = bracketedAddress(bytes, at: position + functionEntered.count, end: end) {
            return .frame(StackFrame(address: entered.value), marker: nil)
        }
        guard var frame = frame(bytes, start: position, end: end) else {
            return sawMarker && position >= end ? .marker(marker, closing: closing) : nil
        }
        frame.context = marker
        return .frame(frame, marker: sawMarker ? marker : nil)
    }

    private static let functionEntered: [UInt8] = Array("Function entered at ".utf8)

    /// A frame starting at `start` (after markers).
    static func frame(_ bytes: [UInt8], start: Int, end: Int) -> StackFrame? {
        var position = start
        var result = StackFrame()
        var parenthesized = false
        if position < end, bytes[position] == ASCII.openParen, position + 1 < end, bytes[position + 1] == ASCII.openBracket {
            parenthesized = true
            result.reliable = false
            position += 1
        }
        if question(bytes, &position, end) { result.reliable = false }
        // Up to two bracketed addresses; the last one is the PC.
        var addresses = 0
        while addresses < 2, let parsed = bracketedAddress(bytes, at: position, end: end) {
            result.address = parsed.value
            position = parsed.end
            addresses += 1
            skipSpaces(bytes, &position, end)
        }
        if question(bytes, &position, end) { result.reliable = false }
        // arm32: "(func) from [<lr>] (caller+off/size)"
        if addresses > 0, position < end, bytes[position] == ASCII.openParen {
            position += 1
            guard let symbol = symbol(bytes, at: position, end: end) else { return nil }
            result.function = symbol.name
            if let offsets = offsetAndSize(bytes, at: symbol.end, end: end) {
                result.offset = offsets.offset
                result.size = offsets.size
            }
            return result
        }
        guard let symbol = symbol(bytes, at: position, end: end) else { return nil }
        guard let offsets = offsetAndSize(bytes, at: symbol.end, end: end) else {
            // decode_stacktrace.sh replaces `func+0x1/0x2` by `func (file:line[ file:line…])`.
            guard addresses == 0, let decoded = decodedLocations(bytes, at: symbol.end, end: end) else { return nil }
            result.function = symbol.name
            result.printedLocation = decoded.locations.last
            result.printedInline = decoded.locations.dropLast().map {
                InlineEntry(function: "??", file: $0.file, line: $0.line)
            }
            result.module = decoded.module
            return result
        }
        result.function = symbol.name
        result.offset = offsets.offset
        result.size = offsets.size
        position = offsets.end
        // " [module]" or " [module buildid]"
        var probe = position
        skipSpaces(bytes, &probe, end)
        if probe < end, bytes[probe] == ASCII.openBracket {
            var close = probe + 1
            while close < end, bytes[close] != ASCII.closeBracket { close += 1 }
            if close < end {
                let inside = bytes.text(from: probe + 1, to: close).split(separator: " ", omittingEmptySubsequences: true)
                if let name = inside.first, name.utf8.allSatisfy({ ASCII.isSymbolByte($0) || $0 == UInt8(ascii: "-") }) {
                    result.module = String(name)
                    if inside.count > 1, inside[1].utf8.allSatisfy(ASCII.isHexDigit) { result.buildID = inside[1].lowercased() }
                    position = close + 1
                }
            }
        }
        // Trailing annotations: "(P)", "(unreliable)", "(file.c:123)", ")" closing an s390 unreliable frame,
        // and the "(file:line …) [module]" that decode_stacktrace.sh adds after an offset.
        if result.module == nil, let decoded = decodedLocations(bytes, at: position, end: end) {
            result.printedLocation = decoded.locations.last
            result.printedInline = decoded.locations.dropLast().map {
                InlineEntry(function: "??", file: $0.file, line: $0.line)
            }
            result.module = decoded.module
            return result
        }
        var rest = bytes.text(from: position, to: end)
        while let first = rest.first, first == " " { rest.removeFirst() }
        while !rest.isEmpty {
            if rest.hasPrefix("(") , let close = rest.firstIndex(of: ")") {
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if inner == "unreliable" {
                    result.reliable = false
                } else if let location = sourceLocation(inner) {
                    result.printedLocation = location
                } else if !inner.isEmpty, inner.count <= 4, inner.allSatisfy({ $0.isUppercase }) {
                    result.unwindSource = String(inner)
                }
                rest = String(rest[rest.index(after: close)...])
            } else if rest.hasPrefix(")") && parenthesized {
                rest.removeFirst()
            } else if let space = rest.firstIndex(of: " ") {
                let word = rest[..<space]
                if result.printedLocation == nil, let location = sourceLocation(word) { result.printedLocation = location }
                rest = String(rest[rest.index(after: space)...])
            } else {
                if result.printedLocation == nil, let location = sourceLocation(Substring(rest)) { result.printedLocation = location }
                rest = ""
            }
            while let first = rest.first, first == " " { rest.removeFirst() }
        }
        return result
    }

    /// ` (loc loc … ) [module]`, ` (loc) module` or ` (loc)` as decode_stacktrace.sh prints it after a
    /// symbol: locations innermost first (`addr2line -i` order, `(discriminator N)` notes dropped), then the
    /// module bare or in brackets, then an arm64 unwind mark. Nil when the parentheses hold no location.
    static func decodedLocations(_ bytes: [UInt8], at index: Int, end: Int) -> (locations: [SourceLocation], module: String?)? {
        var position = index
        guard position < end, bytes[position] == ASCII.space else { return nil }
        // One space, or more where a mail-wrapped CRLF line was joined (MailWrap).
        while position < end, bytes[position] == ASCII.space { position += 1 }
        guard position < end, bytes[position] == ASCII.openParen else { return nil }
        position += 1
        var depth = 1
        var tokenStart = position
        var locations: [SourceLocation] = []
        var discriminator = false
        while position < end, depth > 0 {
            let byte = bytes[position]
            if byte == ASCII.space || byte == ASCII.openParen || byte == ASCII.closeParen {
                if position > tokenStart, depth == 1, !discriminator,
                   let location = sourceLocation(Substring(bytes.text(from: tokenStart, to: position))) {
                    locations.append(location)
                }
                if byte == ASCII.openParen { depth += 1; discriminator = true }
                if byte == ASCII.closeParen { depth -= 1; if depth == 1 { discriminator = false } }
                tokenStart = position + 1
            }
            position += 1
        }
        guard depth == 0, !locations.isEmpty else { return nil }
        var module: String?
        let words = bytes.text(from: position, to: end).split(separator: " ", omittingEmptySubsequences: true)
        if let word = words.first {
            var name = Substring(word)
            if name.hasPrefix("["), name.hasSuffix("]") { name = name.dropFirst().dropLast() }
            if !name.isEmpty, !name.hasPrefix("("), name.utf8.allSatisfy({ ASCII.isSymbolByte($0) || $0 == UInt8(ascii: "-") }) {
                module = String(name)
            }
        }
        return (locations, module)
    }

    /// `path/file.c:123` (or `:123:45`).
    static func sourceLocation(_ text: Substring) -> SourceLocation? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count <= 3, let dot = parts[0].lastIndex(of: "."), parts[0][dot...].count >= 2,
              let line = Int(parts[1]), line >= 0 else { return nil }
        return SourceLocation(file: String(parts[0]), line: line)
    }

    static func skipSpaces(_ bytes: [UInt8], _ position: inout Int, _ end: Int) {
        while position < end, bytes[position] == ASCII.space || bytes[position] == ASCII.tab { position += 1 }
    }

    private static func question(_ bytes: [UInt8], _ position: inout Int, _ end: Int) -> Bool {
        guard position + 1 < end, bytes[position] == ASCII.question, bytes[position + 1] == ASCII.space else { return false }
        position += 2
        skipSpaces(bytes, &position, end)
        return true
    }

    /// `[<ffffffff81984058>]`, `[<0x…>]` or powerpc `[c00000007a3efa20]`.
    static func bracketedAddress(_ bytes: [UInt8], at index: Int, end: Int) -> (value: UInt64?, end: Int)? {
        guard index < end, bytes[index] == ASCII.openBracket else { return nil }
        var position = index + 1
        let angled = position < end && bytes[position] == ASCII.less
        if angled { position += 1 }
        if position + 1 < end, bytes[position] == ASCII.zero, bytes[position + 1] == UInt8(ascii: "x") { position += 2 }
        guard let number = NumberScanner.hex(bytes, at: position, end: end) else { return nil }
        position = number.end
        if angled {
            guard position < end, bytes[position] == ASCII.greater else { return nil }
            position += 1
        }
        guard position < end, bytes[position] == ASCII.closeBracket else { return nil }
        // Powerpc stack pointers are 16 hex digits too; plain "[12]"-style numbers are not addresses.
        if !angled && number.end - (index + 1) < 8 { return nil }
        return (number.value, position + 1)
    }

    static func symbol(_ bytes: [UInt8], at index: Int, end: Int) -> (name: String, end: Int)? {
        var position = index
        while position < end, ASCII.isSymbolByte(bytes[position]) { position += 1 }
        guard position > index, position - index <= 512 else { return nil }
        return (bytes.text(from: index, to: position), position)
    }

    /// `+0xOFF/0xSIZE` (size optional). Values that overflow 64 bits become nil.
    static func offsetAndSize(_ bytes: [UInt8], at index: Int, end: Int) -> (offset: UInt64?, size: UInt64?, end: Int)? {
        guard index + 3 < end, bytes[index] == ASCII.plus, bytes[index + 1] == ASCII.zero,
              bytes[index + 2] == UInt8(ascii: "x"), let offset = NumberScanner.hex(bytes, at: index + 3, end: end) else {
            return nil
        }
        var position = offset.end
        var size: UInt64?
        if position + 2 < end, bytes[position] == ASCII.slash, bytes[position + 1] == ASCII.zero,
           bytes[position + 2] == UInt8(ascii: "x"), let parsed = NumberScanner.hex(bytes, at: position + 3, end: end) {
            size = parsed.value
            position = parsed.end
        }
        return (offset.value, size, position)
    }
}
