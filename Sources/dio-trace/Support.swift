#if canImport(Glibc)
import Glibc
#endif
import BtrfsAccounting
import FixtureCheck
import Foundation
import KernelLog
import TraceDat
import TraceEvents
import TraceInput

/// Writes one line to standard error.
func printError(_ message: String) {
    writeToStandardError("dio-trace: " + message + "\n")
}

/// trace.dat support (module TraceDat: a native reader, bounds-checked, in process).
enum TraceDatSupport {
    static let opener: Analysis.TraceDatOpener? = TraceDatEventStream.opener
}

/// SARIF output (module FixtureCheck).
enum SARIFOutput {
    static func render(_ report: AnalysisReport) -> String { sarifDocument(for: report) }
}

/// Reads `--dmesg` into the warnings the library ties to the trace (KernelWarningLink).
enum KernelReportLink {
    static func attach(dmesgPath: String, to report: AnalysisReport) throws -> AnalysisReport {
        // gzip and `-` as for traces.
        let bytes = try InputOpener.open(path: dmesgPath).readAll()
        let reports = KernelLogParser().reports(in: bytes)
        let lineStarts = lineStartOffsets(bytes)
        var warnings: [KernelWarning] = []
        for (n, kr) in reports.enumerated() {
            var functions = Set(kr.frames.compactMap(\.function) + [kr.guiltyFrame].compactMap { $0 })
            // `WARNING: CPU: 3 PID: 2769 at fs/btrfs/inode.c:8967 btrfs_destroy_inode+0x284/0x2a0`
            // names the function even when the call trace is trimmed or all `?` frames.
            if let named = kr.headerFunction { functions.insert(named) }
            let next = n + 1 < reports.count ? reports[n + 1].startOffset : bytes.count
            warnings.append(KernelWarning(
                title: kr.title, file: dmesgPath, line: lineNumber(of: kr.startOffset, lineStarts: lineStarts),
                timestamp: kr.timestamp?.totalNanoseconds, pid: kr.pid.flatMap { Int32(exactly: $0) }, comm: kr.comm,
                functions: functions, space: spaceNamed(in: bytes, from: kr.endOffset, to: next)))
        }
        return KernelWarningLink.link(warnings, into: report)
    }

    /// The space_info dump btrfs prints after an unmount check: `space_info DATA has ...`
    /// (6.x) or `space_info 1 has ...` (flags, 6.1), within the next lines of the log.
    static func spaceNamed(in bytes: [UInt8], from start: Int, to end: Int) -> SpaceKind? {
        let limit = min(end, start + 4096, bytes.count)
        guard start < limit else { return nil }
        let text = String(decoding: bytes[max(0, start)..<limit], as: UTF8.self)
        guard let r = text.range(of: "space_info ") else { return nil }
        let word = text[r.upperBound...].prefix { $0 != " " && $0 != "\n" }
        switch word {
        case "DATA", "1": return .data
        case "METADATA", "4": return .metadata
        case "SYSTEM", "2": return .system
        default:
            if let flags = UInt64(word) { return SpaceKind(blockGroupFlags: flags) }
            return nil
        }
    }

    static func lineStartOffsets(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        return starts
    }

    static func lineNumber(of offset: Int, lineStarts: [Int]) -> Int {
        var lo = 0, hi = lineStarts.count
        while lo + 1 < hi {
            let mid = (lo + hi) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid }
        }
        return lo + 1
    }
}
