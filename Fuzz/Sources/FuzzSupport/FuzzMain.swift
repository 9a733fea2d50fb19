@_exported import FuzzDriver

/// SwiftPM links each executable with `--defsym main=<module>_main`, a symbol `-parse-as-library`
/// never emits; each target defines that symbol with `@_cdecl` and hands over to libFuzzer here.
public func runFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, body)
}
