import ArgumentParser
import ElfSymbolization
import Foundation
import KernelLog
import TraceInput

/// `dio-trace decode FILE...`: find kernel reports (WARNING, BUG, Oops, KASAN, lockdep, hung task,
/// RCU stall, panic…) in dmesg / console / journal logs and print them decoded.
///
/// Exit status: 0 no report found, 1 at least one report, 2 usage or input error.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Find and decode kernel reports (WARNING/BUG/Oops/KASAN/lockdep/hung task/RCU stall/panic) in kernel logs.",
        discussion: "Exit status: 0 when no report is found, 1 when at least one report is found, 2 on usage or input errors."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Argument(help: "Kernel log files (dmesg, console, journalctl -k, syslog); '-' or nothing reads standard input.")
    var files: [String] = []

    /// A plain string so that a bad value exits with status 2 like other input errors.
    @Option(help: "Output format: text or json (schema in docs/decode-json.md).")
    var format: String = "text"

    @Option(help: "vmlinux with debug info, to map frames to source lines.")
    var vmlinux: String?

    @Option(help: "Directory holding the kernel modules (.ko) with debug info.")
    var modules: String?

    @Option(help: "A copy of /proc/kallsyms, to name raw addresses.")
    var kallsyms: String?

    func run() throws {
        guard let format = Format(rawValue: format) else {
            Self.fail("dio-trace decode: unknown format '\(self.format)' (expected text or json)")
        }
        var inputs: [[UInt8]] = []
        for path in files.isEmpty ? ["-"] : files {
            inputs.append(try Self.read(path))
        }
        for path in [vmlinux, modules, kallsyms].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
            Self.fail("dio-trace decode: \(path): no such file or directory")
        }
        let symbolizer = makeSymbolizer(vmlinux: vmlinux, modules: modules, kallsyms: kallsyms)
        let parser = KernelLogParser()
        let decoded = inputs.map { parser.decode($0) }
        let parsed = DecodedKernelLog(reports: decoded.flatMap(\.reports), stackDumps: decoded.flatMap(\.stackDumps))
        if let dwarf = symbolizer as? DwarfSymbolizer {
            // KASLR: frames that print both an address and function+offset give the slide.
            let addressed = parsed.reports.flatMap(\.addressedSymbols)
                + parsed.stackDumps.flatMap { $0.frames.filter { $0.address != nil && $0.function != nil && $0.offset != nil } }
            _ = dwarf.applyInferredSlides(from: addressed.map(\.symbolizationRequest))
        }
        let log = parsed.symbolized(using: symbolizer)
        switch format {
        case .text:
            var text = log.reports.isEmpty ? "no kernel report found\n" : TextRenderer.render(log.reports)
            if !log.stackDumps.isEmpty {
                text += "\n\(log.stackDumps.count) stack dump\(log.stackDumps.count == 1 ? "" : "s") outside reports:\n\n"
                text += TextRenderer.render(log.stackDumps)
            }
            print(text, terminator: "")
        case .json:
            print(JSONRenderer.render(log), terminator: "")
        }
        // Stack dumps are not reports: only reports set the exit status.
        throw ExitCode(log.reports.isEmpty ? 0 : 1)
    }

    /// Reads a whole file, or standard input for "-", through the one input opener (gzip, xz, zstd);
    /// input errors exit with status 2.
    static func read(_ path: String) throws -> [UInt8] {
        do {
            return try InputOpener.open(path: path).readAll()
        } catch {
            fail("dio-trace decode: \(error)")
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Decode.exit(withError: ExitCode(2))
    }
}

/// The single place where a symbolizer is built from the command-line options.
/// libdw (ElfSymbolization) for `--vmlinux`/`--modules`, the kallsyms table for `--kallsyms`.
/// An unusable file is a usage error (exit 2) with a one-line message.
func makeSymbolizer(vmlinux: String?, modules: String?, kallsyms: String?) -> (any Symbolizer)? {
    do {
        if vmlinux != nil || modules != nil {
            return try DwarfSymbolizer(vmlinux: vmlinux, modulesDirectory: modules)
        }
        if let kallsyms {
            // Through the input opener: a kallsyms copy may be gzipped (kallsyms.txt.gz) or on stdin.
            let bytes = try Decode.read(kallsyms)
            return try KallsymsSymbolizer(text: String(decoding: bytes, as: UTF8.self), source: kallsyms)
        }
    } catch {
        Decode.fail("dio-trace decode: \(error)")
    }
    return nil
}
