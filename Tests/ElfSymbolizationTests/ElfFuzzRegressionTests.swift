import Foundation
import XCTest
import ElfSymbolization
import KernelLog

/// Replays the reproducers the Fuzz/ target `elf` found (Fuzz/regressions/elf/) the way the target
/// runs them: byte 0 is an offset, the rest is loaded as a vmlinux and up to 16 of its functions
/// are symbolized by name+offset and by address. Any trap ends the test process.
final class ElfFuzzRegressionTests: XCTestCase {
    func testEveryElfReproducerSymbolizesWithoutTrapping() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/elf").path
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertFalse(names.isEmpty, "no reproducers in \(directory)")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("elf-regression-\(getpid()).o").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var symbolized = 0
        for name in names {
            let input = try XCTUnwrap(FileManager.default.contents(atPath: directory + "/" + name))
            guard let first = input.first else { continue }
            let offset = UInt64(first)
            FileManager.default.createFile(atPath: scratch, contents: input.dropFirst())
            guard let symbolizer = try? DwarfSymbolizer(vmlinux: scratch, moduleFiles: [:]) else { continue }
            for symbol in symbolizer.functionSymbols().prefix(16) {
                if symbolizer.symbolize(SymbolizationRequest(function: symbol.name, offset: offset, size: symbol.size)) != nil {
                    symbolized += 1
                }
                _ = symbolizer.symbolize(SymbolizationRequest(address: symbol.address &+ offset, isReturnAddress: true))
                _ = symbolizer.linkAddress(ofFunction: symbol.name, offset: offset)
            }
        }
        XCTAssertGreaterThan(symbolized, 0, "the reproducers load as ELF files with functions")
    }
}
