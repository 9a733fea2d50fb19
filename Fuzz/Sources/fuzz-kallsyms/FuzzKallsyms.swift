import ElfSymbolization
import FuzzSupport
import KernelLog

/// kallsyms symbolization: parse the bytes as a kallsyms copy; a part after a line `--log--`
/// is a kernel log whose reports are symbolized with it. Every entry's own address must map
/// back into a symbol at that address or before it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKallsyms(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzBytes(data, size).rest
    let marker = Array("\n--log--\n".utf8)
    var split = bytes.count
    if bytes.count >= marker.count {
        for i in 0...(bytes.count - marker.count) where bytes[i] == 0x0A && Array(bytes[i..<(i + marker.count)]) == marker {
            split = i
            break
        }
    }
    let table = String(decoding: bytes[..<split], as: UTF8.self)
    guard let symbolizer = try? KallsymsSymbolizer(text: table) else { return 0 }
    _ = symbolizer.skippedLines
    for entry in symbolizer.entries.prefix(32) {
        if let location = symbolizer.location(of: entry.address), location.address > entry.address {
            fuzzFailure("location(of: \(entry.address)) starts after it, at \(location.address)")
        }
        _ = symbolizer.address(ofFunction: entry.name, offset: 1, module: entry.module)
        _ = symbolizer.symbolize(SymbolizationRequest(module: entry.module, function: entry.name, offset: 4))
        _ = symbolizer.symbolize(SymbolizationRequest(address: entry.address &+ 1, isReturnAddress: true))
    }
    if split < bytes.count {
        let log = Array(bytes[(split + marker.count)...])
        for report in KernelLogParser().reports(in: log) {
            _ = TextRenderer.render(report.symbolized(using: symbolizer))
        }
    }
    return 0
}

@_cdecl("fuzz_kallsyms_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzKallsyms)
}
