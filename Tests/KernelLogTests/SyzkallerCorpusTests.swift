import Foundation
import XCTest
@testable import KernelLog

/// Runs every file of the syzkaller Linux report corpus (Fixtures/syzkaller-linux-reports, Apache-2.0,
/// see its NOTICE) and compares titles and the corrupted flag with syzkaller's expectations.
final class SyzkallerCorpusTests: XCTestCase {
    struct Case {
        var name: String
        var titles: Set<String> = []
        var title: String?
        var corrupted = false
        var guiltyFile: String?
        var log: [UInt8] = []
    }

    static func load(_ url: URL, name: String) throws -> Case {
        var bytes = [UInt8](try Data(contentsOf: url)).filter { $0 != 0x0D }
        var result = Case(name: name)
        var position = 0
        while position < bytes.count {
            var end = position
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let line = String(decoding: bytes[position..<end], as: UTF8.self)
            position = end + 1
            if line.isEmpty { break }
            // "TITLE: " with nothing after it means no crash is expected (report/620).
            if line.hasPrefix("TITLE: "), line.count > 7 {
                result.title = String(line.dropFirst(7))
                result.titles.insert(String(line.dropFirst(7)))
            }
            if line.hasPrefix("ALT: ") { result.titles.insert(String(line.dropFirst(5))) }
            if line.hasPrefix("CORRUPTED: Y") { result.corrupted = true }
            if line.hasPrefix("FILE: ") { result.guiltyFile = String(line.dropFirst(6)) }
        }
        bytes = position < bytes.count ? Array(bytes[position...]) : []
        // An expected-report section follows "\n\nREPORT:\n"; it is not part of the log.
        let marker = Array("\nREPORT:\n".utf8)
        if let cut = bytes.firstIndex(of: marker, from: 0, to: bytes.count), cut > 0, bytes[cut - 1] == 0x0A {
            bytes = Array(bytes[..<cut])
        }
        result.log = bytes
        return result
    }

    func testCorpusTitlesAgreeWithSyzkaller() throws {
        let root = FixturePaths.root.appendingPathComponent("syzkaller-linux-reports")
        var cases: [Case] = []
        for folder in ["report", "guilty"] {
            let directory = root.appendingPathComponent(folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            for name in names {
                cases.append(try Self.load(directory.appendingPathComponent(name), name: folder + "/" + name))
            }
        }
        XCTAssertEqual(cases.count, 815)
        let parser = KernelLogParser()
        var titled = 0, titleMatches = 0, negative = 0, falsePositives = 0, corruptedAgree = 0
        var guilty = 0, guiltyFound = 0
        var failures: [String] = []
        for testCase in cases {
            let report = parser.firstReport(in: testCase.log)
            if testCase.guiltyFile != nil {
                guilty += 1
                if report != nil { guiltyFound += 1 } else { failures.append("\(testCase.name): guilty report not found") }
                continue
            }
            guard let expected = testCase.title else {
                negative += 1
                if let report {
                    falsePositives += 1
                    failures.append("\(testCase.name): unexpected report \(report.title)")
                }
                continue
            }
            titled += 1
            // syzkaller's own title; `title` differs only where the header names the function syzkaller calls corrupted.
            if let report, testCase.titles.contains(report.syzkallerTitle) {
                titleMatches += 1
            } else {
                failures.append("\(testCase.name): title \(report?.syzkallerTitle ?? "<none>") expected \(expected)")
            }
            if (report?.corrupted ?? false) == testCase.corrupted {
                corruptedAgree += 1
            } else {
                failures.append("\(testCase.name): corrupted \(report?.corrupted ?? false) (\(report?.corruptionReason ?? "-")) expected \(testCase.corrupted) [\(report?.title ?? "")]")
            }
        }
        let titleRate = Double(titleMatches) / Double(max(titled, 1))
        let corruptedRate = Double(corruptedAgree) / Double(max(titled, 1))
        let negativeRate = Double(negative - falsePositives) / Double(max(negative, 1))
        print(String(format: "syzkaller corpus: titles %d/%d (%.1f%%), corrupted flag %d/%d (%.1f%%), "
                     + "no-title files without report %d/%d (%.1f%%), guilty files with report %d/%d",
                     titleMatches, titled, titleRate * 100, corruptedAgree, titled, corruptedRate * 100,
                     negative - falsePositives, negative, negativeRate * 100, guiltyFound, guilty))
        if ProcessInfo.processInfo.environment["KERNELLOG_CORPUS_VERBOSE"] != nil {
            for failure in failures { print("  " + failure) }
        }
        XCTAssertGreaterThanOrEqual(titleRate, 0.95, "title agreement")
        XCTAssertGreaterThanOrEqual(corruptedRate, 0.95, "corrupted-flag agreement")
        XCTAssertEqual(falsePositives, 0, "files without TITLE must yield no report")
        XCTAssertEqual(guiltyFound, guilty, "every guilty-file fixture holds a report")
    }
}
