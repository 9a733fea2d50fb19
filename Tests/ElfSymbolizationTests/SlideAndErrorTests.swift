import ElfSymbolization
import Foundation
import KernelLog
import XCTest

final class SlideAndErrorTests: XCTestCase {
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

    func testMajorityVote() {
        XCTAssertEqual(KaslrSlide.majority(of: [5, 5, 7]), 5)
        XCTAssertNil(KaslrSlide.majority(of: []))
        XCTAssertNil(KaslrSlide.majority(of: [1, 2]))
    }

    func testKernelSlideIsInferredAndRawAddressesResolve() throws {
        let builder = try makeFixtures()
        let symbolizer = try DwarfSymbolizer(vmlinux: try builder.buildProgram())
        let slide: Int64 = 0x1_2340_0000
        func runtime(_ function: String, _ offset: UInt64) throws -> UInt64 {
            try XCTUnwrap(symbolizer.linkAddress(ofFunction: function, offset: offset)) &+ UInt64(slide)
        }
        var frames = [
            SymbolizationRequest(function: "btrfs_like_write", offset: 0x31, address: try runtime("btrfs_like_write", 0x31)),
            SymbolizationRequest(function: "btrfs_like_read", offset: 0x10, address: try runtime("btrfs_like_read", 0x10)),
            SymbolizationRequest(function: "main", offset: 0x9, address: try runtime("main", 0x9)),
        ]
        // One frame with a corrupted address must be outvoted.
        frames.append(SymbolizationRequest(function: "main", offset: 0x9, address: 0xdead_0000))
        XCTAssertEqual(symbolizer.inferSlide(from: frames), slide)
        XCTAssertEqual(symbolizer.applyInferredSlides(from: frames)["vmlinux"], slide)
        XCTAssertEqual(symbolizer.slide, slide)

        let raw = symbolizer.symbolize(SymbolizationRequest(address: try runtime("btrfs_like_write", 0x45)))
        let named = symbolizer.symbolize(SymbolizationRequest(function: "btrfs_like_write", offset: 0x45))
        XCTAssertEqual(raw?.chain, named?.chain)
        XCTAssertFalse(raw?.chain.isEmpty ?? true)
        XCTAssertEqual(raw?.symbol, "btrfs_like_write")
        XCTAssertEqual(raw?.symbolOffset, 0x45)
        let outside = symbolizer.symbolize(SymbolizationRequest(address: 0x10))
        XCTAssertTrue(outside?.diagnostics.first?.contains("outside") ?? false)
    }

    func testModuleSlideIsInferredPerModule() throws {
        let builder = try makeFixtures()
        _ = try builder.buildModule()
        let symbolizer = try DwarfSymbolizer(vmlinux: try builder.buildProgram(), modulesDirectory: builder.path("modules"))
        let placed = try XCTUnwrap(symbolizer.linkAddress(ofFunction: "mod_end_io", offset: 0x8, module: "testmod"))
        let loadedAt: UInt64 = 0xffff_ffff_c086_4000
        let frame = SymbolizationRequest(module: "testmod", function: "mod_end_io", offset: 0x8, address: loadedAt)
        let rawOnly = SymbolizationRequest(module: "testmod", address: loadedAt)
        XCTAssertTrue(symbolizer.symbolize(rawOnly)?.diagnostics.first?.contains("no slide known") ?? false)
        symbolizer.applyInferredSlides(from: [frame])
        XCTAssertEqual(symbolizer.moduleSlides["testmod"], Int64(bitPattern: loadedAt &- placed))
        XCTAssertEqual(symbolizer.symbolize(rawOnly)?.chain, symbolizer.symbolize(frame)?.chain)
        XCTAssertEqual(symbolizer.symbolize(rawOnly)?.symbol, "mod_end_io")
    }

    func testMissingVmlinuxIsAClearError() {
        XCTAssertThrowsError(try DwarfSymbolizer(vmlinux: "/nonexistent/vmlinux")) { error in
            let failure = error as? ElfSymbolizationError
            XCTAssertEqual(failure?.code, .fileNotFound)
            XCTAssertEqual(failure?.path, "/nonexistent/vmlinux")
            XCTAssertTrue(failure?.description.contains("/nonexistent/vmlinux") ?? false)
        }
    }

    func testNonELFVmlinuxIsAClearError() throws {
        let builder = try makeFixtures()
        let text = builder.path("vmlinux.txt")
        try "not an elf file\n".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DwarfSymbolizer(vmlinux: text)) { error in
            XCTAssertEqual((error as? ElfSymbolizationError)?.code, .notELF)
            XCTAssertEqual((error as? ElfSymbolizationError)?.path, text)
        }
        XCTAssertThrowsError(try DwarfSymbolizer(vmlinux: builder.directory)) { error in
            XCTAssertEqual((error as? ElfSymbolizationError)?.code, .notELF)
        }
        let empty = builder.path("empty")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertThrowsError(try DwarfSymbolizer(vmlinux: empty))
    }

    func testELFWithoutDebugInfoFallsBackToSymbols() throws {
        let builder = try makeFixtures()
        let stripped = try builder.buildProgram(debugInfo: false, name: "nodebug")
        let symbolizer = try DwarfSymbolizer(vmlinux: stripped)
        XCTAssertTrue(symbolizer.loadProblems.contains { $0.path == stripped && $0.message.contains("no DWARF") })
        let address = try XCTUnwrap(symbolizer.linkAddress(ofFunction: "btrfs_like_read", offset: 0x10))
        let result = symbolizer.symbolize(SymbolizationRequest(address: address))
        XCTAssertEqual(result?.symbol, "btrfs_like_read")
        XCTAssertEqual(result?.symbolOffset, 0x10)
        XCTAssertEqual(result?.chain, [])
        XCTAssertTrue(result?.diagnostics.contains { $0.contains("no DWARF") } ?? false)
    }

    func testDirectoryOfUnreadableModulesIsAClearError() throws {
        let builder = try makeFixtures()
        let directory = builder.path("badmods/kernel")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "garbage".write(toFile: directory + "/btrfs.ko", atomically: true, encoding: .utf8)
        try "garbage".write(toFile: directory + "/xfs.ko.zst", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DwarfSymbolizer(vmlinux: nil, modulesDirectory: builder.path("badmods"))) { error in
            let failure = error as? ElfSymbolizationError
            XCTAssertEqual(failure?.code, .noUsableModules)
            XCTAssertTrue(failure?.description.contains("btrfs.ko") ?? false, "\(String(describing: failure))")
        }
        XCTAssertThrowsError(try DwarfSymbolizer(vmlinux: nil, modulesDirectory: builder.path("nope"))) { error in
            XCTAssertEqual((error as? ElfSymbolizationError)?.code, .fileNotFound)
        }
        // A good module next to bad ones loads; the bad ones are listed.
        _ = try builder.buildModule()
        try "garbage".write(toFile: builder.path("modules/kernel/fs/broken.ko"), atomically: true, encoding: .utf8)
        let symbolizer = try DwarfSymbolizer(vmlinux: nil, modulesDirectory: builder.path("modules"))
        XCTAssertTrue(symbolizer.loadProblems.contains { $0.path.hasSuffix("broken.ko") && $0.code == .notELF })
        XCTAssertNotNil(symbolizer.symbolize(SymbolizationRequest(module: "testmod", function: "mod_end_io", offset: 4)))
        XCTAssertNil(symbolizer.symbolize(SymbolizationRequest(module: "ext4", function: "x", offset: 4)))
        XCTAssertNil(symbolizer.symbolize(SymbolizationRequest(function: "x", offset: 4)))
    }

    func testCompressedModuleIsReadable() throws {
        let builder = try makeFixtures()
        let module = try builder.buildModule(name: "xzmod")
        try FixtureBuilder.run("xz", [module])
        let symbolizer = try DwarfSymbolizer(vmlinux: nil, modulesDirectory: builder.path("modules"))
        XCTAssertEqual(symbolizer.moduleNames, ["xzmod"])
        let result = symbolizer.symbolize(SymbolizationRequest(module: "xzmod", function: "mod_submit_bio", offset: 0x10))
        XCTAssertFalse(result?.chain.isEmpty ?? true, "\(String(describing: result))")
    }
}
