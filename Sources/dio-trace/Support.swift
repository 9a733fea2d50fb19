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
    var line = "dio-trace: " + message + "\n"
    line.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}

/// trace.dat support (module TraceDat, libtracecmd).
enum TraceDatSupport {
    static let opener: Analysis.TraceDatOpener? = TraceDatEventStream.opener
}

/// SARIF output (module FixtureCheck).
enum SARIFOutput {
    static func render(_ report: AnalysisReport) -> String { sarifDocument(for: report) }
}

/// Ties kernel reports from `--dmesg` to findings: a warning in `btrfs_destroy_inode`, at umount or
/// in the block-group teardown joins the leak findings of the same filesystem by time (printk and
/// the trace share the local clock), task and function.
enum KernelReportLink {
    static let evictFunctions = ["btrfs_destroy_inode", "btrfs_evict_inode", "destroy_inode", "evict", "evict_inodes",
                                 "btrfs_qgroup_check_reserved_leak"]
    static let unmountFunctions = ["close_ctree", "btrfs_free_block_groups", "btrfs_put_super", "btrfs_kill_super",
                                   "generic_shutdown_super", "deactivate_locked_super", "cleanup_mnt"]

    static func attach(dmesgPath: String, to report: AnalysisReport) throws -> AnalysisReport {
        guard let data = FileManager.default.contents(atPath: dmesgPath) else {
            throw InputError(file: dmesgPath, message: "cannot read kernel log")
        }
        let reports = KernelLogParser().reports(in: [UInt8](data))
        var result = report
        for kr in reports {
            let functions = Set(kr.frames.compactMap(\.function) + [kr.guiltyFrame].compactMap { $0 })
            let atEvict = !functions.isDisjoint(with: evictFunctions) || kr.title.contains("btrfs_destroy_inode")
            let atUnmount = !functions.isDisjoint(with: unmountFunctions) || kr.comm == "umount"
            guard atEvict || atUnmount else { continue }
            let reportNs: UInt64? = kr.timestamp.map { $0.seconds &* 1_000_000_000 &+ UInt64($0.nanoseconds) }
            // Candidates: leak-at-evict findings (and unmount balances) whose last event is the eviction.
            var best: (index: Int, score: Int, reason: String)?
            for (i, f) in result.findings.enumerated() {
                let evictRules = ["DIO001", "DIO002", "DIO003", "DIO004"]
                guard evictRules.contains(f.rule.id) || (atUnmount && f.rule.id == "DIO020") else { continue }
                guard let last = f.events.last else { continue }
                var score = 0
                var reasons: [String] = []
                if let pid = kr.pid, Int32(pid) == last.pid { score += 4; reasons.append("same task \(last.task)-\(last.pid)") }
                else if let comm = kr.comm, comm == last.task { score += 2; reasons.append("same command \(comm)") }
                if let rn = reportNs, let tn = last.timestamp {
                    let delta = rn > tn ? rn - tn : tn - rn
                    if delta > 10_000_000_000 { continue }
                    score += delta < 1_000_000 ? 4 : delta < 100_000_000 ? 3 : 1
                    reasons.append("\(rn >= tn ? "" : "-")\(delta / 1000) µs after \(last.event) at \(last.file):\(last.line)")
                }
                if atEvict && evictRules.contains(f.rule.id) { score += 2; reasons.append("warning in the inode teardown") }
                if best.map({ score > $0.score }) ?? true { best = (i, score, reasons.joined(separator: ", ")) }
            }
            guard let chosen = best, chosen.score >= 4 else { continue }
            let attached = AttachedReport(title: kr.title, file: dmesgPath, line: lineNumber(of: kr.startOffset, in: data), reason: chosen.reason)
            let target = result.findings[chosen.index]
            for i in result.findings.indices where result.findings[i].filesystem == target.filesystem
                && (i == chosen.index || (result.findings[i].inode == target.inode && result.findings[i].rule.id == "DIO010")) {
                result.findings[i].reports.append(attached)
            }
        }
        return result
    }

    static func lineNumber(of offset: Int, in data: Data) -> Int {
        var line = 1
        for (i, b) in data.enumerated() {
            if i >= offset { break }
            if b == 0x0A { line += 1 }
        }
        return line
    }
}
