import ArgumentParser
import ElfSymbolization
import Foundation
import KernelLog

/// `dio-trace-bench symbolize`: in-process libdw symbolization against eu-addr2line and
/// binutils addr2line on the same object and the same frame addresses.
struct SymbolizeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "symbolize",
        abstract: "Benchmark in-process symbolization against eu-addr2line and addr2line.",
        discussion: """
            Without --object, generates and compiles (gcc -g -O2) a C file with many functions and inlined \
            helpers. All tools get the same raw addresses, chosen evenly over the object's functions.
            """
    )

    @Option(help: "ELF object with DWARF (default: build a synthetic one).")
    var object: String?

    @Option(help: "Number of frames to symbolize.")
    var frames: Int = 100_000

    @Option(help: "Frames for the one-addr2line-process-per-frame run (extrapolated).")
    var sample: Int = 300

    @Option(help: "Functions in the generated object.")
    var generatedFunctions: Int = 1500

    @Option(help: "Distinct frames compared line by line with eu-addr2line -i -f (0: skip).")
    var verifyFrames: Int = 5000

    @Flag(help: "Skip the external tools.")
    var inProcessOnly = false

    mutating func validate() throws {
        guard frames > 0, sample > 0, generatedFunctions > 1 else {
            throw ValidationError("--frames, --sample and --generated-functions must be positive")
        }
    }

    func run() throws {
        let path = try object ?? BenchWorkload.buildSyntheticObject(functions: generatedFunctions)
        defer {
            if object == nil { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        }
        let loadStart = Measure.now()
        let symbolizer = try DwarfSymbolizer(vmlinux: path)
        let loadSeconds = Measure.now() - loadStart
        let addresses = BenchWorkload.addresses(count: frames, in: symbolizer.functionSymbols())
        guard !addresses.isEmpty else { throw ValidationError("\(path) has no sized function symbols") }
        let distinct = Set(addresses).count
        print("object: \(path)")
        print("frames: \(addresses.count) (\(distinct) distinct addresses)")

        let inProcess = BenchWorkload.symbolizeInProcess(symbolizer, addresses)
        var rows = [BenchRow(label: "in-process libdw (DwarfSymbolizer)", seconds: inProcess.seconds + loadSeconds,
                             frames: addresses.count, note: "incl. \(String(format: "%.3f", loadSeconds)) s open; \(inProcess.entries) chain entries")]
        if !inProcessOnly {
            rows.append(try BenchWorkload.timeBatch(tool: "eu-addr2line", object: path, addresses: addresses))
            rows.append(try BenchWorkload.timeBatch(tool: "addr2line", object: path, addresses: addresses))
            rows.append(try BenchWorkload.timePerFrame(object: path, addresses: addresses, sample: sample))
        }
        BenchRow.printTable(rows)
        if verifyFrames > 0 && !inProcessOnly {
            let checked = Array(Set(addresses).sorted().prefix(verifyFrames))
            let (identical, compared, mismatch) = try BenchVerification.compare(symbolizer, object: path, addresses: checked)
            print("verified against eu-addr2line -i -f: \(identical)/\(compared) frames identical" + (mismatch.map { "; first difference \($0)" } ?? ""))
        }
    }
}

/// One benchmark line.
struct BenchRow {
    var label: String
    var seconds: Double
    var frames: Int
    var note: String

    var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }

    static func printTable(_ rows: [BenchRow]) {
        guard let base = rows.first else { return }
        for row in rows {
            let ratio = row.framesPerSecond > 0 ? base.framesPerSecond / row.framesPerSecond : 0
            let label = row.label.padding(toLength: 40, withPad: " ", startingAt: 0)
            let numbers = String(format: "%12.0f frames/s %10.3f s   in-process %8.1fx", row.framesPerSecond, row.seconds, ratio)
            print("\(label)\(numbers)   \(row.note)")
        }
    }
}
