import KernelLog
import TraceInput

/// Kernel-log titles for case expectations, from the KernelLog parser (syzkaller-compatible
/// titles). Kernel logs in a case may be gzipped.
public enum KernelLogTitles {
    public static let decoder: ReportTitleDecoder = { path in
        try titles(in: contents(of: path))
    }

    public static func titles(in bytes: [UInt8]) -> [String] {
        KernelLogParser().reports(in: bytes).map(\.title)
    }

    static func contents(of path: String) throws -> [UInt8] {
        try InputOpener.open(path: path).readAll()
    }
}
