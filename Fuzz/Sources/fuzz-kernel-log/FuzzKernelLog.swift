import FuzzSupport
import KernelLog

/// Kernel-log decoding and rendering: every report found in arbitrary bytes renders as text and
/// as valid JSON, and the first report equals `firstReport`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKernelLog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzBytes(data, size).rest
    let parser = KernelLogParser()
    let reports = parser.reports(in: bytes)
    _ = TextRenderer.render(reports)
    requireValidJSON(JSONRenderer.render(reports), "KernelLog.JSONRenderer")
    if parser.firstReport(in: bytes) != reports.first {
        fuzzFailure("firstReport differs from reports.first")
    }
    return 0
}

@_cdecl("fuzz_kernel_log_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzKernelLog)
}
