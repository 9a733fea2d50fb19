import KernelLog

/// Renders a chain the way `eu-addr2line -i -f` prints it (function name, then location, per entry).
func addr2lineLines(_ chain: [InlineEntry]) -> [String] {
    chain.flatMap { entry -> [String] in
        let location: String
        if let file = entry.file {
            location = "\(file):\(entry.line ?? 0)" + (entry.column.map { ":\($0)" } ?? "")
        } else {
            location = "??:0"
        }
        return [entry.function, location]
    }
}

/// eu-addr2line's first line reads `inner inlined at F:L:C in outer`; keep the innermost name.
func normalizedReference(_ block: [String]) -> [String] {
    guard let first = block.first else { return block }
    var copy = block
    copy[0] = String(first.split(separator: " ").first ?? Substring(first))
    return copy
}
