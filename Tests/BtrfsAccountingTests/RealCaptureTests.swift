import Foundation
import XCTest
@testable import BtrfsAccounting
import TraceEvents
import TraceInput

/// Real captures from kernels that did not warn must replay cleanly.
final class RealCaptureTests: XCTestCase {
    func testEveryRealCaptureParsesCleanlyWithoutErrors() throws {
        let files = FixturePaths.realCaptures()
        XCTAssertGreaterThanOrEqual(files.count, 40, "fixtures missing")
        for file in files {
            let report = try Analysis.run(paths: [file])
            XCTAssertEqual(report.statistics.unrecognizedLines, 0, "\(file): \(report.statistics.problems.prefix(3))")
            XCTAssertEqual(report.statistics.malformedLines, 0, "\(file): \(report.statistics.problems.prefix(3))")
            XCTAssertGreaterThan(report.statistics.events, 0, file)
            let errors = report.findings.filter { $0.severity == .error }
            XCTAssertEqual(errors.count, 0, "\(file): \(errors.map { "\($0.rule.id) inode \($0.inode ?? 0): \($0.message)" })")
        }
    }

    /// The lab ran each workload once per format on a fresh filesystem: same inodes, same ordered extents.
    func testSameWorkloadSameLedgerAcrossFormats() throws {
        for scenario in ["dio-basic", "dio-efault", "dio-qgroup", "dio-aio"] {
            var ledgers: [String: [String]] = [:]
            for format in ["ftrace.txt.gz", "trace-cmd-report.txt.gz", "perf-script.txt.gz"] {
                let report = try Analysis.run(paths: [FixturePaths.path("kernel-6.1-qemu/\(scenario)/\(format)")])
                ledgers[format] = report.inodes.map {
                    "root=\($0.root ?? 0) ino=\($0.inode) outstanding=\($0.outstandingExtents) open=\($0.openOrderedExtents) evicted=\($0.evicted)"
                }.sorted() + report.findings.map { "\($0.rule.id) \($0.inode ?? 0)" }.sorted()
            }
            XCTAssertFalse(ledgers["ftrace.txt.gz"]!.isEmpty, scenario)
            XCTAssertEqual(ledgers["ftrace.txt.gz"], ledgers["trace-cmd-report.txt.gz"], scenario)
            XCTAssertEqual(ledgers["ftrace.txt.gz"], ledgers["perf-script.txt.gz"], scenario)
        }
        // Renderings of one trace.dat by trace-cmd report: identical event streams and ledgers.
        let variants = ["default", "l", "t", "tsdiff", "R"].map { FixturePaths.path("kernel-6.18-samples/trace-cmd-3.1.6-report-\($0).txt") }
        let reference = try decodedEvents(variants[0]).map { "\($0.payload) \($0.filesystem?.description ?? "-") \($0.pid)" }
        XCTAssertEqual(reference.count, 24)
        for v in variants.dropFirst() {
            XCTAssertEqual(try decodedEvents(v).map { "\($0.payload) \($0.filesystem?.description ?? "-") \($0.pid)" }, reference, v)
        }
    }

    /// Deleting one event that closes an exact balance must produce a finding naming that inode.
    func testMutationDeletingAnyClosingEventIsFound() throws {
        // Every closing event of two captures, and a sample (every 40th) of a generic/095 run where
        // direct, buffered and mmap writers share the files.
        let captures = [("kernel-6.1-qemu/dio-efault/ftrace.txt.gz", 1), ("captures/k6.18-mixed/ftrace.txt.gz", 1),
                        ("captures/k6.18-generic095-nocow/ftrace.txt.gz", 40)]
        var checked = 0
        for (capture, stride) in captures {
            let path = FixturePaths.path(capture)
            let events = try decodedEvents(path)
            XCTAssertTrue(replay(events, name: path).filter { $0.severity == .error }.isEmpty, capture)
            var seen = 0
            for (i, e) in events.enumerated() {
                let inode: UInt64
                switch e.payload {
                case .outstandingExtents(let c) where c.mod < 0: inode = c.inode
                case .orderedExtent(let o) where o.step == .remove: inode = o.inode
                default: continue
                }
                seen += 1
                if seen % stride != 0 { continue }
                checked += 1
                let findings = replay(events, name: path, skipping: i)
                XCTAssertTrue(findings.contains { $0.inode == inode && $0.severity >= .warning },
                              "\(capture): deleting line \(e.origin.line) (\(e.name)) of inode \(inode) went unnoticed")
            }
        }
        XCTAssertGreaterThan(checked, 500)
    }

    /// 6.12+ prints `outstanding=` after each change: a missed `mod=+1` shows as a disagreement.
    func testMissedEventIsCaughtByTheKernelReportedOutstandingValue() throws {
        let path = FixturePaths.path("captures/k6.18-mixed/ftrace.txt.gz")
        let events = try decodedEvents(path)
        XCTAssertFalse(replay(events, name: path).contains { $0.rule == .outstandingMismatch })
        var checked = 0
        for (i, e) in events.enumerated() {
            guard case .outstandingExtents(let c) = e.payload, c.mod > 0, c.outstanding != nil else { continue }
            checked += 1
            if checked > 60 { break }
            let findings = replay(events, name: path, skipping: i)
            XCTAssertTrue(findings.contains { $0.rule == .outstandingMismatch && $0.inode == c.inode },
                          "deleting line \(e.origin.line) went unnoticed")
        }
        XCTAssertGreaterThan(checked, 60)
    }

    /// After umount every space_info's bytes_may_use is back to 0 on the real captures (calibration);
    /// dropping the global-reserve release at close_ctree must surface as DIO020.
    func testBytesMayUseHeldAfterUnmount() throws {
        let path = FixturePaths.path("kernel-6.1-qemu/dio-basic/ftrace.txt.gz")
        let events = try decodedEvents(path)
        XCTAssertFalse(replay(events, name: path).contains { $0.rule == .heldAtUnmount })
        let last = try XCTUnwrap(events.lastIndex { event in
            if case .spaceInfoUpdate(let u) = event.payload { return u.space == .metadata && u.diff < 0 }
            return false
        })
        let findings = replay(events, name: path, skipping: last)
        let held = findings.filter { $0.rule == .heldAtUnmount }
        XCTAssertEqual(held.count, 1)
        XCTAssertEqual(held.first?.severity, .error)
        XCTAssertEqual(held.first?.amount, 5_767_168)
        XCTAssertNil(held.first?.inode)
    }

    func testSeedBugSyntheticTraceIsFound() throws {
        let report = try Analysis.run(paths: [FixturePaths.path("synthetic/seed-4.2-generic-095/trace.txt")])
        XCTAssertEqual(report.statistics.unrecognizedLines + report.statistics.malformedLines, 0)
        let outlived = report.findings.filter { $0.rule == .reservationOutlivedIO }
        XCTAssertEqual(outlived.count, 1)
        XCTAssertEqual(outlived.first?.inode, 257)
        XCTAssertEqual(outlived.first?.io?.task, "fio")
        XCTAssertEqual(outlived.first?.io?.pid, 2769)
        XCTAssertEqual(outlived.first?.amount, 8192)
        XCTAssertEqual(outlived.first?.severity, .error)
        // The chain starts at the failing write's reservation (line 40 of the file).
        XCTAssertEqual(outlived.first?.events.first?.line, 40)
        let evict = report.findings.filter { $0.rule == .leakAtEvictMetadata }
        XCTAssertEqual(evict.map(\.inode), [257])
        XCTAssertEqual(evict.first?.amount, 131072)
        XCTAssertFalse(report.findings.contains { $0.inode == 258 })
        XCTAssertTrue(report.generations[0].hasPrefix("4.x"))
    }

    func testDataLossIsReportedAndLowersConfidence() throws {
        let report = try Analysis.run(paths: [FixturePaths.path("kernel-6.18-samples/ftrace-k6.18-trace_pipe-lost-events.txt")])
        XCTAssertEqual(report.statistics.lostEvents, 61 + 20130)
        XCTAssertEqual(report.findings.map(\.rule.id), ["DIO050"])
        let overrun = try Analysis.run(paths: [FixturePaths.path("kernel-6.18-samples/ftrace-k6.18-annotate-overrun.txt")])
        XCTAssertEqual(overrun.statistics.lostEvents, 26634 - 285)
        XCTAssertEqual(overrun.statistics.dataLossMarkers, 2)
    }
}
