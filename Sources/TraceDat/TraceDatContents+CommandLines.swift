extension TraceDatContents {
    /// `saved_cmdlines` with `resolved` (pid to comm) taking precedence: a recording analyzed
    /// while it ran names each task as the kernel's table did then; the table read at the end
    /// has lost short-lived tasks, so the trace.dat saves what the analysis used. Lines sorted by pid.
    public func mergingCommandLines(_ resolved: [Int32: String]) -> TraceDatContents {
        guard !resolved.isEmpty else { return self }
        var table = savedCommandLines.withUnsafeBytes { Self.commandLines($0) }
        table.merge(resolved) { _, used in used }
        var out = self
        out.savedCommandLines = Array(table.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined().utf8)
        return out
    }

    /// `saved_cmdlines` text: `pid comm` per line (the comm may hold blanks).
    static func commandLines(_ text: UnsafeRawBufferPointer?) -> [Int32: String] {
        var result: [Int32: String] = [:]
        guard let text else { return result }
        for line in text.split(separator: UInt8(ascii: "\n")) {
            guard let space = line.firstIndex(of: UInt8(ascii: " ")),
                  let pid = Int32(String(decoding: line[line.startIndex..<space], as: UTF8.self)) else { continue }
            result[pid] = String(decoding: line[(space + 1)...], as: UTF8.self)
        }
        return result
    }
}
