import FuzzSupport
import TraceDat
import TraceEvents
import TraceInput

private let scratch = ScratchFile(suffix: "-tracedat.dat")

/// trace.dat through the library's native reader: open, then iterate every record. Only
/// `InputError` may come out: no trap, no sanitizer report, no hang, no leak.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTraceDat(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    scratch.write(FuzzBytes(data, size).rest)
    do {
        let reader = try TraceDatReader(path: scratch.path, fileIndex: 0)
        var events = 0
        try reader.read { _ in events += 1 }
        _ = reader.statistics
    } catch is InputError {
    } catch {
        fuzzFailure("TraceDatReader threw a non-InputError: \(error)")
    }
    return 0
}

@_cdecl("fuzz_tracedat_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzTraceDat)
}
