import Foundation
import XCTest
@testable import KernelLog

/// A symbolizer that answers from a table and records what it was asked.
final class FakeSymbolizer: Symbolizer {
    var requests: [SymbolizationRequest] = []
    let answers: [String: SymbolizationResult]

    init(_ answers: [String: SymbolizationResult]) { self.answers = answers }

    func symbolize(_ request: SymbolizationRequest) -> SymbolizationResult? {
        requests.append(request)
        return request.function.flatMap { answers[$0] }
    }
}

final class SymbolizationAndOutputTests: XCTestCase {
    static let log = """
    [  152.473993] WARNING: CPU: 0 PID: 1687 at fs/btrfs/inode.c:24 btrfs_evict_inode+0x5/0xfca [btrfs]
    [  152.475367] CPU: 0 PID: 1687 Comm: umount Tainted: G           OE      6.1.0-50-amd64 #1
    [  152.476110] RIP: 0010:btrfs_evict_inode+0x5/0xfca [btrfs]
    [  152.478618] Call Trace:
    [  152.478747]  <TASK>
    [  152.478816]  evict+0xcc/0x1d0
    [  152.478817]  ? iput+0x10/0x20
    [  152.478818]  </TASK>
    [  152.478819] irq event stamp: 12
    [  152.478820] hardirqs last  enabled at (11): [<ffffffff81c66ccf>] d_walk+0x80f/0xc80
    """

    func report() throws -> KernelReport {
        try XCTUnwrap(KernelLogParser().reports(in: Self.log).first)
    }

    func testSymbolizerFillsFramesAndSplitsInlineChain() throws {
        let fake = FakeSymbolizer([
            "btrfs_evict_inode": SymbolizationResult(chain: [
                InlineEntry(function: "btrfs_check_leak", file: "fs/btrfs/inode.c", line: 20),
                InlineEntry(function: "btrfs_evict_inode", file: "fs/btrfs/inode.c", line: 5400),
            ]),
            "evict": SymbolizationResult(chain: [InlineEntry(function: "evict", file: "fs/inode.c", line: 702)],
                                         diagnostics: ["build id mismatch"]),
        ])
        let symbolized = try report().symbolized(using: fake)
        XCTAssertEqual(fake.requests.map(\.function), ["btrfs_evict_inode", "evict", "iput", "btrfs_evict_inode"])
        XCTAssertEqual(fake.requests.map(\.isReturnAddress), [false, true, true, false])
        XCTAssertEqual(fake.requests.first?.module, "btrfs")
        XCTAssertEqual(fake.requests.first?.offset, 5)
        XCTAssertEqual(fake.requests.first?.size, 0xfca)
        let trap = symbolized.frames[0]
        XCTAssertEqual(trap.file, "fs/btrfs/inode.c")
        XCTAssertEqual(trap.line, 5400)
        XCTAssertEqual(trap.inlined, [InlineEntry(function: "btrfs_check_leak", file: "fs/btrfs/inode.c", line: 20)])
        XCTAssertEqual(symbolized.frames[1].line, 702)
        XCTAssertEqual(symbolized.frames[1].diagnostics, ["build id mismatch"])
        XCTAssertNil(symbolized.frames[2].file)
        XCTAssertEqual(symbolized.instructionPointer?.line, 5400)
        XCTAssertEqual(try report().symbolized(using: nil), try report())

        let text = TextRenderer.render([symbolized])
        XCTAssertTrue(text.contains("WARNING in btrfs_evict_inode [WARNING]"))
        XCTAssertTrue(text.contains("PC  btrfs_evict_inode+0x5/0xfca [btrfs] fs/btrfs/inode.c:5400"))
        XCTAssertTrue(text.contains("btrfs_check_leak fs/btrfs/inode.c:20 [inline]"))
        XCTAssertTrue(text.contains("#1   ? iput+0x10/0x20"))
    }

    func testAddressedSymbolsForSlideInference() throws {
        let pairs = try report().addressedSymbols
        XCTAssertEqual(pairs.map(\.function), ["d_walk"])
        XCTAssertEqual(pairs.first?.address, 0xffffffff81c66ccf)
        XCTAssertEqual(pairs.first?.offset, 0x80f)
    }

    func testJSONSchemaAndKeyOrder() throws {
        let fake = FakeSymbolizer(["evict": SymbolizationResult(chain: [
            InlineEntry(function: "inlined_fn", file: "fs/a.h", line: 3), InlineEntry(function: "evict", file: "fs/inode.c", line: 7),
        ])])
        let json = JSONRenderer.render([try report().symbolized(using: fake)])
        let expected = #"{"reports":[{"kind":"WARNING","title":"WARNING in btrfs_evict_inode","title_source":"report","#
            + #""syzkaller_title":"WARNING in btrfs_evict_inode","guilty_frame":"btrfs_evict_inode","#
            + #""corrupted":false,"corruption_reason":null,"cpu":0,"pid":1687,"comm":"umount","kernel":"6.1.0-50-amd64","#
            + #""location":{"file":"fs/btrfs/inode.c","line":24},"frames":["#
            + #"{"address":null,"function":"btrfs_evict_inode","offset":"0x5","size":"0xfca","module":"btrfs","build_id":null,"#
            + #""reliable":true,"context":null,"file":null,"line":null,"inlined":[],"printed_location":null,"printed_inline":[]},"#
            + #"{"address":null,"function":"evict","offset":"0xcc","size":"0x1d0","module":null,"build_id":null,"#
            + #""reliable":true,"context":"TASK","file":"fs/inode.c","line":7,"inlined":[{"function":"inlined_fn","file":"fs/a.h","line":3}],"#
            + #""printed_location":null,"printed_inline":[]},"#
            + #"{"address":null,"function":"iput","offset":"0x10","size":"0x20","module":null,"build_id":null,"#
            + #""reliable":false,"context":"TASK","file":null,"line":null,"inlined":[],"printed_location":null,"printed_inline":[]}]}],"#
            + #""stack_dumps":[]}"# + "\n"
        XCTAssertEqual(json, expected)
        XCTAssertEqual(JSONRenderer.render([]), "{\"reports\":[],\"stack_dumps\":[]}\n")
        XCTAssertEqual(JSONRenderer.string("a\"b\\c\n\u{1}"), #""a\"b\\c\n\u0001""#)
    }

    func testJSONParsesWithFoundation() throws {
        let json = JSONRenderer.render(try FixturePaths.bytes("dmesg/dmesg-full.txt").withUnsafeBufferPointer { _ in
            KernelLogParser().reports(in: try FixturePaths.bytes("dmesg/dmesg-full.txt"))
        })
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let reports = try XCTUnwrap(object?["reports"] as? [[String: Any]])
        XCTAssertEqual(reports.count, 4)
        XCTAssertEqual(reports.first?["title"] as? String, "WARNING in lab_evict_inode")
    }
}
