import ElfSymbolization
import Foundation
import KernelLog
import XCTest

/// The real Debian 6.1 lab log (Fixtures/dmesg/dmesg-full.txt: sysrq `l`, `w`, `t` task dumps taken while btrfs writers ran,
/// plus module WARN/BUG/Oops reports), symbolized with Debian's own debug info
/// (`linux-image-6.1.0-50-amd64-dbg` 6.1.176-1, fetched by scripts/fetch-kernel-debug.sh) and compared frame by
/// frame with `eu-addr2line -a -i -f` on the same objects: every distinct frame of every report and stack dump.
final class TaskDumpSymbolizationTests: XCTestCase {
    static let release = "6.1.0-50-amd64"

    /// The extracted package root (holding usr/lib/debug), from DIO_TRACE_KERNEL_DEBUG or the script's default.
    static func debugRoot() -> String? {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [ProcessInfo.processInfo.environment["DIO_TRACE_KERNEL_DEBUG"],
                          packageRoot.appendingPathComponent(".build/kernel-debug-\(release)").path].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: "\($0)/usr/lib/debug/boot/vmlinux-\(release)") }
    }

    func testEveryFrameOfTheTaskDumpsMatchesEuAddr2line() throws {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // The committed copy of ../shared/fixtures/kernel-6.1-qemu/dmesg/dmesg-full.txt (same bytes).
        let logPath = packageRoot.appendingPathComponent("Fixtures/dmesg/dmesg-full.txt").path
        guard let root = Self.debugRoot() else {
            throw XCTSkip("Debian's 6.1 debug info is absent (scripts/fetch-kernel-debug.sh fetches it)")
        }
        let vmlinux = "\(root)/usr/lib/debug/boot/vmlinux-\(Self.release)"
        let modules = "\(root)/usr/lib/debug/lib/modules/\(Self.release)"
        let symbolizer = try DwarfSymbolizer(vmlinux: vmlinux, modulesDirectory: modules)
        let log = KernelLogParser().decode(Array(try Data(contentsOf: URL(fileURLWithPath: logPath))))

        // By hand from the log: 4 reports (lab_warn's two WARNINGs at lines 3647 and 3693, lab_bug's BUG at 3742,
        // lab_nullderef's Oops at 3780, RIP lab_null_thread+0x16); every other Call Trace (145 of 149) is a sysrq dump.
        XCTAssertEqual(log.reports.map(\.title), ["WARNING in lab_evict_inode", "WARNING in lab_check_reservation",
                                                  "kernel BUG in lab_bug_leaf",
                                                  "BUG: unable to handle kernel NULL pointer dereference in lab_null_thread"])
        let text = try String(contentsOfFile: logPath, encoding: .utf8)
        let traceStarts = text.split(separator: "\n").filter { $0.contains("] Call Trace:") }.count
        XCTAssertEqual(log.stackDumps.count + log.reports.count, traceStarts, "one dump per Call Trace outside reports")
        let taskLines = text.split(separator: "\n").filter { $0.contains("] task:") }.count
        XCTAssertEqual(log.stackDumps.filter { $0.header?.hasPrefix("task:") == true }.count, taskLines)
        XCTAssertTrue(log.stackDumps.allSatisfy { $0.pid != nil || $0.cpu != nil }, "every dump names its task or CPU")

        struct Key: Hashable { var module: String?; var function: String; var offset: UInt64; var size: UInt64?; var trap: Bool }
        var keys = Set<Key>()
        let symbolized = log.symbolized(using: symbolizer)
        var unsymbolized: [String] = []
        for frame in symbolized.reports.flatMap(\.frames) + symbolized.stackDumps.flatMap(\.frames) {
            guard let function = frame.function, let offset = frame.offset, offset > 0 else { continue }
            guard !(frame.module?.hasPrefix("lab_") ?? false) else { continue }   // the lab's own test modules: no debug info here
            keys.insert(Key(module: frame.module, function: function, offset: offset, size: frame.size, trap: frame.isTrapPC))
            if frame.file == nil { unsymbolized.append(frame.symbolText) }
        }
        // vmlinux has several functions of one name (out-of-line copies of static inlines such as put_page, and
        // data symbols: `watchdog`); eu-addr2line takes the first, the frame's printed size tells which one it is.
        let vmlinuxSymbols = try Self.textSymbols(vmlinux)

        var byObject: [String: [Key]] = [:]
        for key in keys {
            let object = try key.module.map { try Self.modulePath($0, under: modules) } ?? vmlinux
            byObject[object, default: []].append(key)
        }
        var compared = 0
        var mismatches: [String] = []
        var unresolvable: [String] = []
        for (object, objectKeys) in byObject.sorted(by: { $0.key < $1.key }) {
            let ordered = objectKeys.sorted { ($0.function, $0.offset) < ($1.function, $1.offset) }
            let queries = ordered.map { key -> String in
                let offset = key.trap ? key.offset : key.offset - 1
                if object == vmlinux, let candidates = vmlinuxSymbols[key.function],
                   let symbol = candidates.first(where: { $0.size == key.size || $0.kallsymsSize == key.size })
                    ?? candidates.first {
                    return "0x" + String(symbol.address + offset, radix: 16)
                }
                return "\(key.function)+0x" + String(offset, radix: 16)
            }
            let reference = try FixtureBuilder.euAddr2line(object, queries)
            XCTAssertEqual(reference.count, ordered.count, "eu-addr2line answered every query on \(object)")
            for (key, block) in zip(ordered, reference) {
                let request = SymbolizationRequest(module: key.module, function: key.function, offset: key.offset,
                                                   isReturnAddress: !key.trap)
                let mine = addr2lineLines(symbolizer.symbolize(request)?.chain ?? [])
                // Frames eu-addr2line has no line for (assembly without DWARF: `? sort_range+0x20/0x20`).
                if block == ["??", "??:0"] { unresolvable.append(key.function); continue }
                compared += 1
                if mine != normalizedReference(block) {
                    mismatches.append("\(key.function)+0x\(String(key.offset, radix: 16)) [\(key.module ?? "vmlinux")]: "
                                      + "eu-addr2line \(normalizedReference(block)) vs \(mine)")
                }
            }
        }
        print("task dumps: \(log.stackDumps.count) stack dumps, \(log.reports.count) reports; "
              + "\(compared - mismatches.count)/\(compared) distinct frames identical to eu-addr2line -i -f "
              + "(\(unresolvable.count) it cannot resolve: \(unresolvable.sorted()))")
        let unresolvableNames = Set(unresolvable)
        XCTAssertEqual(Set(unsymbolized.filter { name in !unresolvableNames.contains { name.hasPrefix($0 + "+") } }), [],
                       "frames of reports and dumps left without file:line although eu-addr2line resolves them")
        XCTAssertGreaterThanOrEqual(compared, 298)
        XCTAssertEqual(mismatches, [])
    }

    /// Function symbols of an object by name (`nm -n -S --defined-only`: t/T/W), each with its ELF size and the
    /// size kallsyms prints for it (the distance to the next symbol).
    static func textSymbols(_ object: String) throws -> [String: [(address: UInt64, size: UInt64, kallsymsSize: UInt64)]] {
        var sorted: [(name: String, address: UInt64, size: UInt64)] = []
        for line in try FixtureBuilder.run("nm", ["-n", "-S", "--defined-only", object]).split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count == 4, "tTwW".contains(words[2]), let address = UInt64(words[0], radix: 16),
                  let size = UInt64(words[1], radix: 16) else { continue }
            sorted.append((String(words[3]), address, size))
        }
        var symbols: [String: [(address: UInt64, size: UInt64, kallsymsSize: UInt64)]] = [:]
        for (index, symbol) in sorted.enumerated() {
            let next = sorted[(index + 1)...].first { $0.address > symbol.address }?.address ?? symbol.address
            symbols[symbol.name, default: []].append((symbol.address, symbol.size, next - symbol.address))
        }
        return symbols
    }

    /// `crc32c_intel` → …/crc32c-intel.ko (module names use `_` where file names may use `-`).
    static func modulePath(_ module: String, under directory: String) throws -> String {
        let wanted = module.replacingOccurrences(of: "-", with: "_") + ".ko"
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let path = enumerator?.nextObject() as? String {
            let name = (path as NSString).lastPathComponent.replacingOccurrences(of: "-", with: "_")
            if name == wanted { return "\(directory)/\(path)" }
        }
        throw XCTSkip("module \(module) not in \(directory)")
    }
}
