import BtrfsAccounting
import FixtureCheck
import Foundation
import XCTest

/// A trace.dat is decoded on a thread of its own while the ledger replays (`PipelinedReplay`):
/// the report of every bundled trace.dat must be byte for byte the one of the inline replay.
final class TraceDatPipelineTests: XCTestCase {
    func testReportsEqualInlineReplay() throws {
        let root = packageRoot + "/Fixtures"
        let files = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".dat") && !$0.contains("corrupt") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 8)
        for file in files {
            var reports: [String] = []
            for pipeline in [false, true] {
                var options = AnalysisOptions()
                options.pipeline = pipeline
                let report = try Analysis.run(paths: [root + "/" + file], options: options, traceDat: TraceDatEventStream.opener)
                reports.append(JSONReport.render(report))
            }
            XCTAssertEqual(reports[0], reports[1], file)
            XCTAssertFalse(reports[0].isEmpty)
        }
    }
}
