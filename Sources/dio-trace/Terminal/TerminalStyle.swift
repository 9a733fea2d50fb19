#if canImport(Glibc)
import Glibc
#endif

/// Whether output goes to a terminal, and the colours used there. Colour only on a terminal and
/// never when `NO_COLOR` is set to anything non-empty (https://no-color.org) or `TERM=dumb`.
struct TerminalStyle {
    let colour: Bool

    /// The style for descriptor `fd` (1 for the report, 2 for progress).
    static func forDescriptor(_ fd: Int32) -> TerminalStyle {
        TerminalStyle(colour: isTerminal(fd) && !environmentSet("NO_COLOR") && !isDumb)
    }

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    static var isDumb: Bool { getenv("TERM").map { String(cString: $0) == "dumb" } ?? false }

    static func environmentSet(_ name: String) -> Bool {
        guard let value = getenv(name) else { return false }
        return value.pointee != 0
    }

    /// Columns of the terminal on `fd`, nil when it is not one or does not say.
    static func columns(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    static let reset = "\u{1B}[0m"

    /// SGR colour of a severity word or a check outcome at the start of a line.
    private static let colours: [(prefix: String, sgr: String)] = [
        ("error:", "\u{1B}[1;31m"), ("warning:", "\u{1B}[1;33m"), ("note:", "\u{1B}[1;36m"),
        ("FAIL", "\u{1B}[1;31m"), ("ERROR", "\u{1B}[1;31m"), ("UPDATED", "\u{1B}[1;33m"), ("PASS", "\u{1B}[32m"),
    ]

    /// Colours the leading severity (`error:`, `warning:`, `note:`) or case outcome (`PASS`,
    /// `FAIL`, ...) of each line; the text is unchanged without colour.
    func paint(_ text: String) -> String {
        guard colour else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard let match = Self.colours.first(where: { line.hasPrefix($0.prefix) && isWordEnd(line, after: $0.prefix) })
            else { return String(line) }
            return match.sgr + match.prefix + Self.reset + line.dropFirst(match.prefix.count)
        }.joined(separator: "\n")
    }

    private func isWordEnd(_ line: Substring, after prefix: String) -> Bool {
        let rest = line.dropFirst(prefix.count)
        return prefix.hasSuffix(":") || rest.isEmpty || rest.first == " " || rest.first == "\t"
    }
}
