import FuzzSupport
import KernelLog

/// Kernel-log decoding and rendering: every report found in arbitrary bytes renders as text and
/// as valid JSON; CRLF line ends read as LF line ends do (same titles); the stack-dump scan
/// (`decode`) finds the same reports as `reports(in:)`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKernelLog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzBytes(data, size).rest
    let parser = KernelLogParser()
    let reports = parser.reports(in: bytes)
    _ = TextRenderer.render(reports)
    requireValidJSON(JSONRenderer.render(reports), "KernelLog.JSONRenderer")
    let decoded = parser.decode(bytes)
    if decoded.reports != reports { fuzzFailure("decode(_:).reports differs from reports(in:)") }
    if !bytes.contains(0x0D) {
        var crlf: [UInt8] = []
        crlf.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte == 0x0A { crlf.append(0x0D) }
            crlf.append(byte)
        }
        if parser.reports(in: crlf).map(\.title) != reports.map(\.title) {
            fuzzFailure("CRLF line ends give other titles than LF")
        }
    }
    return 0
}

@_cdecl("fuzz_kernel_log_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzKernelLog)
}
