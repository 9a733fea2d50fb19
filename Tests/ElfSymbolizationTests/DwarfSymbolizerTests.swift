import ElfSymbolization
import Foundation
import KernelLog
import XCTest

final class DwarfSymbolizerTests: XCTestCase {
    private var fixtures: FixtureBuilder?

    override func tearDown() {
        fixtures?.remove()
        super.tearDown()
    }

    private func makeFixtures() throws -> FixtureBuilder {
        let builder = try FixtureBuilder()
        fixtures = builder
        return builder
    }

    /// Every byte address of the program's own functions, compared with eu-addr2line -i -f.
    func testRawAddressesMatchEuAddr2lineExactly() throws {
        let builder = try makeFixtures()
        let program = try builder.buildProgram()
        let symbolizer = try DwarfSymbolizer(vmlinux: program)
        let wanted: Set<String> = ["btrfs_like_write", "btrfs_like_read", "helper", "dup_a_entry", "dup_b_entry", "main"]
        let addresses = try FixtureBuilder.functions(of: program)
            .filter { wanted.contains($0.name) }
            .flatMap { function in (0..<function.size).map { function.address + $0 } }
        XCTAssertGreaterThan(addresses.count, 300)
        let reference = try FixtureBuilder.euAddr2line(program, addresses.map { "0x" + String($0, radix: 16) })
        XCTAssertEqual(reference.count, addresses.count)
        var inlinedFrames = 0
        for (address, block) in zip(addresses, reference) {
            let result = symbolizer.symbolize(SymbolizationRequest(address: address, isReturnAddress: false))
            let chain = result?.chain ?? []
            if chain.count > 1 { inlinedFrames += 1 }
            XCTAssertEqual(addr2lineLines(chain), normalizedReference(block), "address 0x\(String(address, radix: 16))")
        }
        XCTAssertGreaterThan(inlinedFrames, 50, "fixture should really inline its static inline helpers")
    }

    /// The relocatable object (like a .ko) through `function+offset`, compared with eu-addr2line on the same file.
    func testModuleFunctionOffsetsMatchEuAddr2line() throws {
        let builder = try makeFixtures()
        let program = try builder.buildProgram()
        let module = try builder.buildModule()
        let symbolizer = try DwarfSymbolizer(vmlinux: program, modulesDirectory: builder.path("modules"))
        XCTAssertEqual(symbolizer.moduleNames, ["testmod"])
        var checked = 0
        for function in try FixtureBuilder.functions(of: module) {
            let offsets = Array(0..<function.size)
            let reference = try FixtureBuilder.euAddr2line(module, offsets.map { "\(function.name)+0x\(String($0, radix: 16))" })
            XCTAssertEqual(reference.count, offsets.count)
            for (offset, block) in zip(offsets, reference) {
                let request = SymbolizationRequest(module: "testmod", function: function.name, offset: offset, isReturnAddress: false)
                let result = symbolizer.symbolize(request)
                XCTAssertEqual(result?.symbol, function.name)
                XCTAssertEqual(addr2lineLines(result?.chain ?? []), normalizedReference(block), "\(function.name)+\(offset)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100)
        // Section-relative addressing of the same object, as eu-addr2line --section=.text reads it.
        let text = try FixtureBuilder.euAddr2line(module, ["0x10"], extra: ["--section=.text"])
        let first = try XCTUnwrap(FixtureBuilder.functions(of: module).min { $0.address < $1.address })
        let viaSymbol = symbolizer.symbolize(SymbolizationRequest(module: "testmod", function: first.name,
                                                                  offset: 0x10 - first.address, isReturnAddress: false))
        XCTAssertEqual(addr2lineLines(viaSymbol?.chain ?? []), normalizedReference(text.first ?? []))
    }

    func testReturnAddressesAreLookedUpOneByteEarlier() throws {
        let builder = try makeFixtures()
        let program = try builder.buildProgram()
        let symbolizer = try DwarfSymbolizer(vmlinux: program)
        for offset: UInt64 in [0x20, 0x31, 0x45] {
            let returned = symbolizer.symbolize(SymbolizationRequest(function: "btrfs_like_write", offset: offset, isReturnAddress: true))
            let reference = try FixtureBuilder.euAddr2line(program, ["btrfs_like_write+0x\(String(offset - 1, radix: 16))"])
            XCTAssertEqual(addr2lineLines(returned?.chain ?? []), normalizedReference(reference.first ?? []))
            XCTAssertEqual(returned?.symbolOffset, offset)
        }
    }

    func testDuplicateStaticSymbolsAreDisambiguatedBySize() throws {
        let builder = try makeFixtures()
        let program = try builder.buildProgram()
        let symbolizer = try DwarfSymbolizer(vmlinux: program)
        let helpers = try FixtureBuilder.functions(of: program).filter { $0.name == "helper" }.sorted { $0.size < $1.size }
        XCTAssertEqual(helpers.count, 2)
        let small = symbolizer.symbolize(SymbolizationRequest(function: "helper", offset: 4, size: helpers[0].size, isReturnAddress: false))
        let large = symbolizer.symbolize(SymbolizationRequest(function: "helper", offset: 4, size: helpers[1].size, isReturnAddress: false))
        XCTAssertEqual(small?.chain.first?.file.map { ($0 as NSString).lastPathComponent }, "dup_a.c")
        XCTAssertEqual(large?.chain.first?.file.map { ($0 as NSString).lastPathComponent }, "dup_b.c")
        XCTAssertEqual(small?.diagnostics, [])
        XCTAssertEqual(large?.diagnostics, [])
        let unsized = symbolizer.symbolize(SymbolizationRequest(function: "helper", offset: 4, isReturnAddress: false))
        XCTAssertTrue(unsized?.diagnostics.contains { $0.contains("ambiguous symbol helper") } ?? false, "\(String(describing: unsized))")
        let wrongSize = symbolizer.symbolize(SymbolizationRequest(function: "helper", offset: 4, size: 0x999, isReturnAddress: false))
        XCTAssertTrue(wrongSize?.diagnostics.contains { $0.contains("none with size 0x999") } ?? false)
    }

    func testBuildIDIsVerified() throws {
        let builder = try makeFixtures()
        let program = try builder.buildProgram()
        let symbolizer = try DwarfSymbolizer(vmlinux: program)
        let notes = try FixtureBuilder.run("readelf", ["-n", program])
        let buildID = try XCTUnwrap(symbolizer.kernelBuildID)
        XCTAssertTrue(notes.contains("Build ID: \(buildID)"))
        let good = symbolizer.symbolize(SymbolizationRequest(function: "btrfs_like_read", offset: 8, buildID: buildID))
        XCTAssertEqual(good?.diagnostics, [])
        XCTAssertFalse(good?.chain.isEmpty ?? true)
        let bad = symbolizer.symbolize(SymbolizationRequest(function: "btrfs_like_read", offset: 8, buildID: "00112233445566778899aabbccddeeff00112233"))
        XCTAssertEqual(bad?.chain, [])
        XCTAssertEqual(bad?.symbol, "btrfs_like_read")
        XCTAssertTrue(bad?.diagnostics.first?.contains("build id mismatch") ?? false)
    }

    /// Modules are linked like the kernel does (`ld -r --build-id=sha1`), so they carry a build id.
    func testModuleBuildIDIsVerified() throws {
        let builder = try makeFixtures()
        let object = try builder.buildModule(name: "plainobj")
        let linked = builder.path("modules/kernel/fs/btrfs.ko")
        try FixtureBuilder.run("ld", ["-r", "--build-id=sha1", "-o", linked, object])
        let symbolizer = try DwarfSymbolizer(vmlinux: nil, modulesDirectory: builder.path("modules"))
        let buildID = try XCTUnwrap(symbolizer.buildID(ofModule: "btrfs"))
        XCTAssertTrue(try FixtureBuilder.run("readelf", ["-n", linked]).contains("Build ID: \(buildID)"))
        let good = symbolizer.symbolize(SymbolizationRequest(module: "btrfs", function: "mod_end_io", offset: 8, buildID: buildID))
        XCTAssertEqual(good?.diagnostics, [])
        XCTAssertFalse(good?.chain.isEmpty ?? true)
        let bad = symbolizer.symbolize(SymbolizationRequest(module: "btrfs", function: "mod_end_io", offset: 8, buildID: "abcdef"))
        XCTAssertEqual(bad?.chain, [])
        XCTAssertTrue(bad?.diagnostics.first?.contains("build id mismatch for btrfs") ?? false)
        let unverifiable = symbolizer.symbolize(SymbolizationRequest(module: "plainobj", function: "mod_end_io", offset: 8, buildID: "abcdef"))
        XCTAssertTrue(unverifiable?.diagnostics.first?.contains("no GNU build-id note") ?? false)
        XCTAssertFalse(unverifiable?.chain.isEmpty ?? true)
    }
}
