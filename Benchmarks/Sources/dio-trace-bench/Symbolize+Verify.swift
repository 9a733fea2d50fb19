import ElfSymbolization
import Foundation
import KernelLog

/// Checks that the in-process answers equal `eu-addr2line -a -i -f` output line for line.
enum BenchVerification {
    /// Returns (identical, compared, first mismatch description).
    static func compare(_ symbolizer: DwarfSymbolizer, object: String, addresses: [UInt64]) throws -> (Int, Int, String?) {
        let input = addresses.map { "0x" + String($0, radix: 16) }.joined(separator: "\n") + "\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["eu-addr2line", "-a", "-i", "-f", "-e", object]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var blocks: [[String]] = []
        for line in output.split(separator: "\n") {
            if line.hasPrefix("0x") { blocks.append([]) } else if !blocks.isEmpty { blocks[blocks.count - 1].append(String(line)) }
        }
        var identical = 0
        var firstMismatch: String? = nil
        for (address, block) in zip(addresses, blocks) {
            var reference = block
            if let first = reference.first { reference[0] = String(first.split(separator: " ").first ?? Substring(first)) }
            let chain = symbolizer.symbolize(SymbolizationRequest(address: address, isReturnAddress: false))?.chain ?? []
            let mine = lines(chain)
            if mine == reference || (chain.isEmpty && reference.last == "??:0") {
                identical += 1
            } else if firstMismatch == nil {
                firstMismatch = "0x\(String(address, radix: 16)): eu-addr2line \(reference) vs \(mine)"
            }
        }
        return (identical, min(addresses.count, blocks.count), firstMismatch)
    }

    static func lines(_ chain: [InlineEntry]) -> [String] {
        chain.flatMap { entry -> [String] in
            guard let file = entry.file else { return [entry.function, "??:0"] }
            return [entry.function, "\(file):\(entry.line ?? 0)" + (entry.column.map { ":\($0)" } ?? "")]
        }
    }
}
