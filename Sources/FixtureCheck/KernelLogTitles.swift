import Foundation
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
        let source = try InputOpener.open(path: path)
        var bytes: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            bytes += buffer.prefix(n)
        }
        return bytes
    }
}
