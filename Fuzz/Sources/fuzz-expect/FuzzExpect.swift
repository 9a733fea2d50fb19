import FixtureCheck
import FuzzSupport

/// `expect.txt` parsing and the `--update` round trip: whatever parses renders to a file that
/// parses back to the same expectations (line numbers aside), and rendering again is stable.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpect(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: FuzzBytes(data, size).rest, as: UTF8.self)
    guard let parsed = try? ExpectationsParser.parse(text, file: "expect.txt") else { return 0 }
    let rendered = ExpectationsParser.render(parsed)
    let reparsed: CaseExpectations
    do {
        reparsed = try ExpectationsParser.parse(rendered, file: "rendered")
    } catch {
        fuzzFailure("rendered expectations do not parse: \(error)\n\(rendered)")
    }
    if withoutLines(reparsed) != withoutLines(parsed) {
        fuzzFailure("round trip changed the expectations:\n\(rendered)\n--- parsed\n\(parsed)\n--- reparsed\n\(reparsed)")
    }
    if ExpectationsParser.render(reparsed) != rendered {
        fuzzFailure("rendering is not stable:\n\(rendered)")
    }
    return 0
}

private func withoutLines(_ expectations: CaseExpectations) -> CaseExpectations {
    var copy = expectations
    copy.findings = copy.findings.map { var f = $0; f.line = 0; return f }
    copy.reports = copy.reports.map { var r = $0; r.line = 0; return r }
    return copy
}

@_cdecl("fuzz_expect_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzExpect)
}
