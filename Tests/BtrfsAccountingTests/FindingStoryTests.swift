import Foundation
import XCTest
@testable import BtrfsAccounting
import TraceEvents
import TraceInput

/// The story of a real leak (Fixtures/mutants/efault-skip-release, 6.1 mutant M3: the 50745b0a7f46
/// class), checked against the trace lines read by hand:
///
///     5664 dio_efault-2193  delalloc: 262 reserve 655360   -> 640 KiB
///     5728 kworker/u4:1-25  delalloc: 262 release 393216   -> 256 KiB
///     5746 dio_efault-2193  delalloc: 262 reserve 655360   -> 896 KiB
///     5765 dio_efault-2193  delalloc: 262 release 262144   -> 640 KiB
///     5813 kworker/u4:1-25  delalloc: 262 release 393216   -> 256 KiB
///     ...
///     44366 umount-2220     btrfs_inode_evict ino=262       (256 KiB held)
final class FindingStoryTests: XCTestCase {
    static let capture = "mutants/efault-skip-release/ftrace.txt.gz"

    func report(chunkSize: Int = 4 << 20) throws -> AnalysisReport {
        var options = AnalysisOptions(chunkSize: chunkSize)
        options.prefetch = false
        return try Analysis.run(paths: [FixturePaths.path(Self.capture)], options: options)
    }

    func testSeedStoryOfInode262() throws {
        let report = try report()
        let stories = FindingStory.make(report)
        let story = try XCTUnwrap(stories.first { $0.rule == .leakAtEvictMetadata && $0.subject.hasPrefix("inode 262 ") })
        XCTAssertEqual(story.tasks.map(\.label), ["dio_efault-2193", "kworker/u4:1-25", "umount-2220"])
        XCTAssertEqual(story.balances, [.metadataReserved])
        func row(_ line: Int) throws -> FindingStory.Row { try XCTUnwrap(story.rows.first { $0.line == line }, "line \(line)") }
        let expected: [(Int, Int, String, Int64)] = [
            (5664, 0, "reserve 640 KiB metadata", 655_360),
            (5728, 1, "release 384 KiB metadata", 262_144),
            (5746, 0, "reserve 640 KiB metadata", 917_504),
            (5765, 0, "release 256 KiB metadata", 655_360),
            (5813, 1, "release 384 KiB metadata", 262_144),
            (44366, 2, "inode 262 evicted", 262_144),
        ]
        for (line, task, text, balance) in expected {
            let r = try row(line)
            XCTAssertEqual(r.task, task, "line \(line)")
            XCTAssertEqual(r.text, text, "line \(line)")
            XCTAssertEqual(r.balances, [balance], "line \(line)")
        }
        // The write that began before the chain (btrfs_dio_write_entry ino=262 pos=0 count=65536).
        XCTAssertEqual(try row(5643).text, "direct write [0, +64 KiB) begins")
        XCTAssertEqual(story.rows.last?.kind, .conclusion)
        XCTAssertEqual(story.rows.last?.text, "release skipped: evicted with 256 KiB never released")
        // Rows are in time order.
        let times = story.rows.compactMap(\.timestamp)
        XCTAssertEqual(times, times.sorted())
    }

    func testTextFitsIn100ColumnsAndMarkdownIsATable() throws {
        for mutant in ["efault-skip-release", "efault-skip-meta", "nocow-release-extents", "unused-tail-data", "cow-large-release-extents"] {
            let report = try Analysis.run(paths: [FixturePaths.path("mutants/\(mutant)/ftrace.txt.gz")])
            let stories = FindingStory.make(report)
            XCTAssertFalse(stories.isEmpty, mutant)
            let text = StoryText.render(stories, inputs: report.inputs)
            for line in text.split(separator: "\n") {
                XCTAssertLessThanOrEqual(line.count, 100, "\(mutant): \(line)")
            }
            for story in stories {
                let table = StoryMarkdown.render(story).split(separator: "\n").filter { $0.hasPrefix("|") }
                let columns = 1 + story.tasks.count + story.balances.count + 1
                XCTAssertEqual(table.count, story.rows.count + 2, mutant)
                for row in table {
                    // Unescaped pipes separate the cells.
                    var cells = 0, previous: Character = " "
                    for c in row { if c == "|" && previous != "\\" { cells += 1 }; previous = c }
                    XCTAssertEqual(cells - 1, columns, "\(mutant): \(row)")
                }
            }
        }
    }

    func testStoriesAndReportsDoNotDependOnChunking() throws {
        let a = try report(), b = try report(chunkSize: 4093)
        XCTAssertEqual(FindingStory.make(a), FindingStory.make(b))
        XCTAssertEqual(StoryReport.render(a), StoryReport.render(b))
        XCTAssertEqual(MarkdownReport.render(a), MarkdownReport.render(b))
    }

    func testTimelineDoesNotDependOnChunkingAndIsBounded() throws {
        func run(_ chunk: Int) throws -> AnalysisReport {
            var options = AnalysisOptions(chunkSize: chunk)
            options.prefetch = false
            options.recordTimeline = true
            return try Analysis.run(paths: [FixturePaths.path(Self.capture)], options: options)
        }
        let a = try run(4 << 20), b = try run(777)
        XCTAssertEqual(HTMLReport.render(a), HTMLReport.render(b))
        XCTAssertEqual(PerfettoReport.render(a), PerfettoReport.render(b))
        XCTAssertFalse(a.timeline.tracks.isEmpty)
        XCTAssertTrue(a.timeline.tracks.allSatisfy { $0.samples.count < TimelineRecorder.samplesPerTrack })
        // The leaking inodes end their tracks holding the metadata the findings report.
        for f in a.findings where f.rule == .leakAtEvictMetadata {
            let track = try XCTUnwrap(a.timeline.tracks.first { $0.inode == f.inode })
            XCTAssertEqual(track.samples.last?.metadataReserved, f.amount, "inode \(f.inode ?? 0)")
        }
        // Not recorded unless asked: the default analysis stays as it was.
        XCTAssertTrue(try report().timeline.tracks.isEmpty)
    }

    func testDecimationKeepsEndsAndPeaks() {
        let samples = (0..<10_000).map { i in
            Timeline.Sample(timestamp: UInt64(i), outstandingExtents: 0, metadataReserved: i == 5_000 ? 1 << 30 : Int64(i % 7),
                            dataReserved: 0, openOrderedExtents: 0)
        }
        let d = HTMLReport.decimate(samples, to: 100)
        XCTAssertLessThanOrEqual(d.count, 100)
        XCTAssertEqual(d.first, samples.first)
        XCTAssertEqual(d.last, samples.last)
        XCTAssertTrue(d.contains(samples[5_000]), "the peak was dropped")
        XCTAssertEqual(d.map(\.timestamp), d.map(\.timestamp).sorted())
    }

    func testSelection() throws {
        let stories = FindingStory.make(try report())
        XCTAssertEqual(try StorySelection(["2"]).apply(stories).map(\.index), [2])
        XCTAssertEqual(try StorySelection(["dio020"]).apply(stories).map(\.rule.id), ["DIO020"])
        XCTAssertEqual(try StorySelection([]).apply(stories).count, stories.count)
        XCTAssertThrowsError(try StorySelection(["99"]).apply(stories)) { error in
            XCTAssertEqual("\(error)", "no finding matches '99' (the trace has 8 findings: 1-8)")
        }
    }
}
