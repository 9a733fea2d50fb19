import ElfSymbolization
import Foundation
import KernelLog
import XCTest

final class KallsymsSymbolizerTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kallsyms/kallsyms-6.1-qemu-trimmed.txt").path

    func testRealCopyParsesAndResolvesBothWays() throws {
        let kallsyms = try KallsymsSymbolizer(contentsOf: Self.fixture)
        XCTAssertEqual(kallsyms.entries.count, 7498)
        XCTAssertEqual(kallsyms.skippedLines, 0)
        XCTAssertTrue(kallsyms.hasAddresses)
        XCTAssertEqual(kallsyms.address(ofFunction: "btrfs_finish_ordered_io", module: "btrfs"), 0xffff_ffff_c07a_ab30)
        XCTAssertEqual(kallsyms.address(ofFunction: "iomap_dio_rw", offset: 0x10), 0xffff_ffff_b5ff_4190 + 0x10)
        XCTAssertNil(kallsyms.address(ofFunction: "btrfs_finish_ordered_io"), "module symbols need their module")

        let location = try XCTUnwrap(kallsyms.location(of: 0xffff_ffff_c07a_ab30 + 0x40))
        XCTAssertEqual(location.name, "btrfs_finish_ordered_io")
        XCTAssertEqual(location.module, "btrfs")
        XCTAssertEqual(location.offset, 0x40)
        XCTAssertGreaterThan(location.size, 0x40)

        // Every uniquely named btrfs text symbol round-trips name -> address -> name.
        let text = kallsyms.entries.filter { $0.module == "btrfs" && ($0.type == "t" || $0.type == "T") }
        let counts = Dictionary(grouping: text, by: \.name).mapValues(\.count)
        var checked = 0
        for entry in text where counts[entry.name] == 1 {
            let address = try XCTUnwrap(kallsyms.address(ofFunction: entry.name, module: "btrfs"))
            let back = kallsyms.symbolize(SymbolizationRequest(module: "btrfs", address: address, isReturnAddress: false))
            if back?.symbol != entry.name {
                // Aliases at the same address are legitimate; the address must still match.
                XCTAssertEqual(kallsyms.address(ofFunction: try XCTUnwrap(back?.symbol), module: "btrfs"), address)
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 2000)
    }

    func testFunctionOffsetRequestsAndReturnAddresses() throws {
        let kallsyms = try KallsymsSymbolizer(contentsOf: Self.fixture)
        let start: UInt64 = 0xffff_ffff_c07a_ab30
        let named = kallsyms.symbolize(SymbolizationRequest(module: "btrfs", function: "btrfs_finish_ordered_io", offset: 0x2a,
                                                            address: start + 0x2a))
        XCTAssertEqual(named?.symbol, "btrfs_finish_ordered_io")
        XCTAssertEqual(named?.symbolOffset, 0x2a)
        XCTAssertEqual(named?.diagnostics, [])
        XCTAssertEqual(named?.chain, [])
        let otherBoot = kallsyms.symbolize(SymbolizationRequest(module: "btrfs", function: "btrfs_finish_ordered_io", offset: 0x2a,
                                                                address: 0xffff_ffff_c000_0000))
        XCTAssertTrue(otherBoot?.diagnostics.first?.contains("another boot") ?? false)

        // A return address equal to the next symbol's start belongs to the previous function (%pB).
        let size = try XCTUnwrap(kallsyms.location(of: start)?.size)
        let atEnd = kallsyms.symbolize(SymbolizationRequest(module: "btrfs", address: start + size, isReturnAddress: true))
        XCTAssertEqual(atEnd?.symbol, "btrfs_finish_ordered_io")
        XCTAssertEqual(atEnd?.symbolOffset, size)
        let faulting = kallsyms.symbolize(SymbolizationRequest(module: "btrfs", address: start + size, isReturnAddress: false))
        XCTAssertNotEqual(faulting?.symbol, "btrfs_finish_ordered_io")
        XCTAssertNil(kallsyms.symbolize(SymbolizationRequest(address: 0x1234)))
    }

    func testSameNamedStaticFunctionsAreToldApartBySize() throws {
        let kallsyms = try KallsymsSymbolizer(contentsOf: Self.fixture)
        let dups = kallsyms.entries.filter { $0.name == "fill_inode_item" && $0.module == "btrfs" }
        XCTAssertEqual(dups.count, 2)
        let sizes = try dups.map { try XCTUnwrap(kallsyms.location(of: $0.address)?.size) }
        XCTAssertNotEqual(sizes[0], sizes[1])
        for (entry, size) in zip(dups, sizes) {
            XCTAssertEqual(kallsyms.address(ofFunction: "fill_inode_item", size: size, module: "btrfs"), entry.address)
            let result = kallsyms.symbolize(SymbolizationRequest(module: "btrfs", function: "fill_inode_item", offset: 8, size: size))
            XCTAssertEqual(result?.diagnostics, [])
        }
        let unsized = kallsyms.symbolize(SymbolizationRequest(module: "btrfs", function: "fill_inode_item", offset: 8))
        XCTAssertTrue(unsized?.diagnostics.first?.contains("ambiguous") ?? false)
    }

    func testZeroedAddressesFromNonRootCopy() throws {
        let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        let zeroed = text.split(separator: "\n").map { "0000000000000000" + $0.dropFirst(16) }.joined(separator: "\n")
        let kallsyms = try KallsymsSymbolizer(text: zeroed)
        XCTAssertFalse(kallsyms.hasAddresses)
        XCTAssertNil(kallsyms.address(ofFunction: "iomap_dio_rw"))
        XCTAssertNil(kallsyms.symbolize(SymbolizationRequest(address: 0xffff_ffff_b5ff_4190)))
        let named = kallsyms.symbolize(SymbolizationRequest(function: "iomap_dio_rw", offset: 0x10, size: 0x40))
        XCTAssertEqual(named?.symbol, "iomap_dio_rw")
        XCTAssertTrue(named?.diagnostics.first?.contains("zeroed addresses") ?? false)
    }

    func testThisMachinesKallsyms() throws {
        let kallsyms = try KallsymsSymbolizer(contentsOf: "/proc/kallsyms")
        XCTAssertGreaterThan(kallsyms.entries.count, 10_000)
        guard kallsyms.hasAddresses else { return }  // non-root: zeroed copy, covered above
        let address = try XCTUnwrap(kallsyms.address(ofFunction: "vfs_read"))
        let back = kallsyms.symbolize(SymbolizationRequest(address: address + 4, isReturnAddress: false))
        XCTAssertEqual(back?.symbolOffset, 4)
        XCTAssertEqual(kallsyms.address(ofFunction: try XCTUnwrap(back?.symbol)), address)
    }

    func testBadInputs() throws {
        XCTAssertThrowsError(try KallsymsSymbolizer(contentsOf: "/nonexistent/kallsyms")) { error in
            XCTAssertEqual((error as? ElfSymbolizationError)?.code, .fileNotFound)
        }
        XCTAssertThrowsError(try KallsymsSymbolizer(text: "hello\nworld\n")) { error in
            XCTAssertEqual((error as? ElfSymbolizationError)?.code, .malformedInput)
        }
        XCTAssertThrowsError(try KallsymsSymbolizer(contentsOf: "/work/shared/fixtures/kernel-6.1-qemu/kernel-info/kallsyms.txt.gz"))
    }
}
