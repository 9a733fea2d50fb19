import ElfSymbolization
import FuzzSupport
import KernelLog

private let scratch = ScratchFile(suffix: "-elf.o")

/// ELF symbolization (libelf/libdw): load the bytes as a vmlinux, list its functions, and
/// symbolize a few of them by name+offset and by address.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzElf(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzBytes(data, size)
    let offset = UInt64(input.byte())
    scratch.write(input.rest)
    guard let symbolizer = try? DwarfSymbolizer(vmlinux: scratch.path, moduleFiles: [:]) else { return 0 }
    _ = symbolizer.kernelBuildID
    for symbol in symbolizer.functionSymbols().prefix(16) {
        _ = symbolizer.symbolize(SymbolizationRequest(function: symbol.name, offset: offset, size: symbol.size))
        _ = symbolizer.symbolize(SymbolizationRequest(address: symbol.address &+ offset, isReturnAddress: true))
        _ = symbolizer.linkAddress(ofFunction: symbol.name, offset: offset)
    }
    _ = symbolizer.symbolize(SymbolizationRequest(function: "main", offset: offset))
    return 0
}

@_cdecl("fuzz_elf_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzElf)
}
