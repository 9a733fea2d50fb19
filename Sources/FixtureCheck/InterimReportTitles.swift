import Foundation

/// A stand-in kernel report title decoder until KernelLog's parser is wired into `check`.
///
/// Recognizes the first line of the common report kinds and titles them the syzkaller way:
/// `WARNING: CPU: 1 PID: 812 at fs/btrfs/inode.c:5412 btrfs_destroy_inode+0x1e/0x1c0 [btrfs]`
/// becomes `WARNING in btrfs_destroy_inode`; `BUG: ...`, `kernel BUG at ...` and
/// `general protection fault` lines are titled by their text without the timestamp.
public enum InterimReportTitles {
    public static let decoder: ReportTitleDecoder = { path in
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CaseError("\(path): cannot read the kernel log")
        }
        return titles(in: String(decoding: data, as: UTF8.self))
    }

    public static func titles(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { title(of: stripTimestamp($0)) }
    }

    private static func stripTimestamp(_ line: Substring) -> Substring {
        var line = line.drop { $0 == " " }
        if line.hasPrefix("["), let close = line.firstIndex(of: "]") {
            line = line[line.index(after: close)...].drop { $0 == " " }
        }
        return line
    }

    private static func title(of line: Substring) -> String? {
        if line.hasPrefix("WARNING: CPU:"), let at = line.range(of: " at ") {
            let words = line[at.upperBound...].split(separator: " ")
            let function = words.count >= 2 ? words[1] : words.first ?? ""
            // `lab_evict_inode.constprop.0+0x5/0xfca` -> `lab_evict_inode`, as syzkaller titles it.
            let name = function.split(separator: "+").first.flatMap { $0.split(separator: ".").first }.map(String.init) ?? ""
            return name.isEmpty ? String(line) : "WARNING in \(name)"
        }
        for prefix in ["BUG: ", "kernel BUG at ", "general protection fault", "Oops: "] where line.hasPrefix(prefix) {
            return String(line)
        }
        return nil
    }
}
