import Foundation
import KernelLog
import XCTest

/// Replays the reproducers the Fuzz/ target `kernel-log` found (Fuzz/regressions/kernel-log/).
final class KernelLogFuzzRegressionTests: XCTestCase {
    /// An Oops pasted with its decode_stacktrace.sh file names wrapped onto lines of their own: the
    /// full scan joined the wrapped lines (MailWrap) before looking for reports, `firstReport` did
    /// not, and titled the report from the broken lines. Both now read the same, hand-checked report.
    func testWrappedFramesGiveTheSameFirstReport() throws {
        let path = FixturePaths.root.deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/kernel-log/wrapped-frames-first-report").path
        let bytes = Array(try XCTUnwrap(FileManager.default.contents(atPath: path)))
        let parser = KernelLogParser()
        let first = try XCTUnwrap(parser.firstReport(in: bytes))
        XCTAssertEqual(first, parser.reports(in: bytes).first)
        XCTAssertEqual(first.title, "BUG: unable to handle kernel NULL pointer dereference in crypto_dequeue_request")
        XCTAssertEqual(first.guiltyFrame, "crypto_dequeue_request")
    }

    /// Every reproducer reads the same with CRLF line ends (the target's CRLF property). Found: the
    /// wrapped-frame log above, whose joined lines kept their `\r` inside the frame ("in corrupted"),
    /// and an open `(` on a timestamped line followed by a CRLF blank line, which MailWrap did not see
    /// as blank and joined across, so the WARNING title ran on into the next line.
    func testEveryReproducerReadsTheSameWithCRLFLineEnds() throws {
        let directory = FixturePaths.root.deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/kernel-log").path
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertGreaterThanOrEqual(names.count, 2)
        let parser = KernelLogParser()
        for name in names {
            let bytes = Array(try XCTUnwrap(FileManager.default.contents(atPath: directory + "/" + name)))
            var crlf: [UInt8] = []
            for byte in bytes {
                if byte == 0x0A { crlf.append(0x0D) }
                crlf.append(byte)
            }
            XCTAssertEqual(parser.reports(in: crlf).map(\.title), parser.reports(in: bytes).map(\.title), name)
        }
        let wrapped = Array(try XCTUnwrap(FileManager.default.contents(atPath: directory + "/crlf-blank-line-ends-wrapped-frame")))
        XCTAssertEqual(parser.reports(in: wrapped).map(\.title), ["WARNING: CPU: NUM PID: -5345FILE: net/netfilter/x_tables.c"])
    }
}
