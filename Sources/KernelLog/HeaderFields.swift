/// Facts printed on the header line itself.
enum HeaderFields {
    /// Fills location, and CPU/PID/Comm when the header prints them:
    /// - `WARNING: CPU: 3 PID: 2769 at fs/btrfs/inode.c:8967 btrfs_destroy_inode+0x284/0x2a0()`
    /// - `WARNING: fs/ext4/xattr.c:1058 at 0x0, CPU#0: syz.0.17/5982` (2025+)
    /// - `kernel BUG at fs/btrfs/ctree.h:3615!`
    /// - `INFO: task kworker/u4:1:41 blocked for more than 143 seconds.`
    /// - KASAN `… by task syz-executor0/30168`, soft lockup `… [syz-executor:123]`
    static func apply(header: String, to report: inout KernelReport) {
        let words = header.split(separator: " ", omittingEmptySubsequences: true)
        for (index, word) in words.enumerated() {
            if word == "at", index + 1 < words.count {
                var candidate = words[index + 1]
                if candidate.hasSuffix("!") { candidate = candidate.dropLast() }
                if let location = FrameLineParser.sourceLocation(candidate), report.location == nil {
                    report.location = location
                }
            }
            if word == "CPU:", index + 1 < words.count, report.cpu == nil { report.cpu = Int(words[index + 1]) }
            if word == "PID:", index + 1 < words.count, report.pid == nil { report.pid = Int(words[index + 1]) }
        }
        // New WARNING format: "WARNING: file.c:1058 at 0x0, CPU#0: comm/pid"
        if words.count >= 2, words[0] == "WARNING:", let location = FrameLineParser.sourceLocation(words[1]) {
            report.location = report.location ?? location
        }
        if let cpuIndex = words.firstIndex(where: { $0.hasPrefix("CPU#") }) {
            let number = words[cpuIndex].dropFirst(4).prefix(while: { $0.isNumber })
            if report.cpu == nil { report.cpu = Int(number) }
            if words[cpuIndex].hasSuffix(":"), cpuIndex + 1 < words.count {
                splitCommPID(words[cpuIndex + 1], separator: "/", into: &report)
            }
        }
        if words.count >= 3, words[0] == "INFO:", words[1] == "task" {
            splitCommPID(words[2], separator: ":", into: &report)
        }
        if let taskIndex = words.firstIndex(of: "task"), taskIndex > 0, words[taskIndex - 1] == "by",
           taskIndex + 1 < words.count {
            splitCommPID(words[taskIndex + 1], separator: "/", into: &report)
        }
    }

    /// The symbol of `FUNC+0x…` after ` at ` (after the `at FILE:LINE` pair in the classic WARNING form).
    static func function(in header: String) -> String? {
        let words = header.split(separator: " ", omittingEmptySubsequences: true)
        guard let at = words.firstIndex(of: "at"), at + 1 < words.count else { return nil }
        var candidate = words[at + 1]
        if FrameLineParser.sourceLocation(candidate) != nil {
            guard at + 2 < words.count else { return nil }
            candidate = words[at + 2]
        }
        guard let plus = candidate.firstIndex(of: "+"), candidate[plus...].hasPrefix("+0x") else { return nil }
        var symbol = candidate[..<plus]
        if let dot = symbol.firstIndex(of: "."), dot != symbol.startIndex { symbol = symbol[..<dot] }
        guard !symbol.isEmpty, symbol.utf8.allSatisfy(ASCII.isSymbolByte), !symbol.hasPrefix("0x") else { return nil }
        return String(symbol)
    }

    /// `comm/pid` or `comm:pid` (the comm itself may contain the separator).
    private static func splitCommPID(_ word: Substring, separator: Character, into report: inout KernelReport) {
        var text = word
        if text.hasSuffix(":") { text = text.dropLast() }
        guard let cut = text.lastIndex(of: separator) else { return }
        let number = text[text.index(after: cut)...]
        guard let pid = Int(number) else { return }
        if report.pid == nil { report.pid = pid }
        if report.comm == nil { report.comm = String(text[..<cut]) }
    }
}
