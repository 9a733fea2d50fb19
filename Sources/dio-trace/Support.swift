#if canImport(Glibc)
import Glibc
#endif
import BtrfsAccounting
import TraceInput

/// Writes one line to standard error.
func printError(_ message: String) {
    var line = "dio-trace: " + message + "\n"
    line.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}

/// trace.dat support (module TraceDat); nil until wired.
enum TraceDatSupport {
    static let opener: Analysis.TraceDatOpener? = nil
}

/// SARIF output (module FixtureCheck); placeholder until wired.
enum SARIFOutput {
    static func render(_ report: AnalysisReport) -> String { JSONReport.render(report) }
}

/// Ties kernel reports to findings (module KernelLog); placeholder until wired.
enum KernelReportLink {
    static func attach(dmesgPath: String, to report: AnalysisReport) throws -> AnalysisReport { report }
}
