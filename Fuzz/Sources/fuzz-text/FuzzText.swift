import BtrfsAccounting
import FuzzSupport
import TraceEvents
import TraceInput

/// Text analysis from bytes. The first byte picks the format: auto-detected (as `analyze` does)
/// or forced ftrace / trace-cmd report / perf script; the report is rendered as text and JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzBytes(data, size)
    let selector = input.byte()
    let body = input.rest
    let textFormats: [TraceFormat] = [.ftrace, .traceCmdReport, .perfScript]
    let format: TraceFormat
    if selector % 4 == 0 {
        guard let sniffed = TraceFormat.sniff(Array(body.prefix(64 * 1024))), sniffed != .traceDat else { return 0 }
        format = sniffed
    } else {
        format = textFormats[Int(selector % 4) - 1]
    }
    do {
        let report = try Analysis.run(source: MemorySource(bytes: body, name: "fuzz"), name: "fuzz", format: format)
        _ = TextReport.render(report)
        requireValidJSON(JSONReport.render(report), "JSONReport")
    } catch is InputError {
        // A clear error is a correct outcome for bad input.
    } catch {
        fuzzFailure("Analysis.run threw a non-InputError: \(error)")
    }
    return 0
}

@_cdecl("fuzz_text_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzText)
}
