import ArgumentParser
import ElfSymbolization
import Foundation
import KernelLog

/// Inputs and timed runs for `dio-trace-bench symbolize`.
enum BenchWorkload {
    /// `count` addresses spread evenly over all function bytes (distinct when the functions are big
    /// enough), then cycled.
    static func addresses(count: Int, in functions: [ElfFunctionSymbol]) -> [UInt64] {
        let total = functions.reduce(UInt64(0)) { $0 + $1.size }
        guard total > 0 else { return [] }
        let stride = max(1, total / UInt64(count))
        var picked: [UInt64] = []
        picked.reserveCapacity(count)
        var skip: UInt64 = 0
        for function in functions {
            var offset = skip
            while offset < function.size && picked.count < count {
                picked.append(function.address + offset)
                offset += stride
            }
            if picked.count == count { break }
            skip = offset - function.size
        }
        let distinct = picked.count
        while picked.count < count { picked.append(picked[picked.count % distinct]) }
        return picked
    }

    static func symbolizeInProcess(_ symbolizer: DwarfSymbolizer, _ addresses: [UInt64]) -> (seconds: Double, entries: Int) {
        let start = Measure.now()
        var entries = 0
        for address in addresses {
            entries += symbolizer.symbolize(SymbolizationRequest(address: address, isReturnAddress: false))?.chain.count ?? 0
        }
        return (Measure.now() - start, entries)
    }

    /// One process, all addresses on stdin, output discarded.
    static func timeBatch(tool: String, object: String, addresses: [UInt64]) throws -> BenchRow {
        let input = addresses.map { "0x" + String($0, radix: 16) }.joined(separator: "\n") + "\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Measure.executable(tool))
        process.arguments = ["-i", "-f", "-e", object]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = Measure.now()
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        let seconds = Measure.now() - start
        return BenchRow(label: "\(tool) -i -f, one process", seconds: seconds, frames: addresses.count,
                        note: "exit \(process.terminationStatus)")
    }

    /// One `addr2line` process per frame on a sample, extrapolated to all frames.
    static func timePerFrame(object: String, addresses: [UInt64], sample: Int) throws -> BenchRow {
        let step = max(1, addresses.count / sample)
        let picked = Swift.stride(from: 0, to: addresses.count, by: step).prefix(sample).map { addresses[$0] }
        let addr2line = Measure.executable("addr2line")
        let start = Measure.now()
        for address in picked {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: addr2line)
            process.arguments = ["-i", "-f", "-e", object, "0x" + String(address, radix: 16)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        }
        let measured = Measure.now() - start
        let extrapolated = measured / Double(picked.count) * Double(addresses.count)
        return BenchRow(label: "addr2line, one process per frame", seconds: extrapolated, frames: addresses.count,
                        note: "EXTRAPOLATED from \(picked.count) frames in \(String(format: "%.2f", measured)) s")
    }

    /// Writes and compiles a C file with `functions` functions calling always-inline helpers.
    static func buildSyntheticObject(functions: Int) throws -> String {
        let directory = NSTemporaryDirectory() + "bench-symbolize-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let source = directory + "/synthetic.c"
        let object = directory + "/synthetic"
        try syntheticSource(functions: functions).write(toFile: source, atomically: true, encoding: .utf8)
        let gcc = Process()
        gcc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gcc.arguments = ["gcc", "-g", "-O2", "-no-pie", "-o", object, source]
        try gcc.run()
        gcc.waitUntilExit()
        guard gcc.terminationStatus == 0 else { throw ValidationError("gcc failed on \(source)") }
        return object
    }

    static func syntheticSource(functions: Int) -> String {
        var text = "volatile int sink;\n"
        for k in 0..<16 {
            text += "static inline __attribute__((always_inline)) int leaf_\(k)(int v) { sink += v * \(k + 1); return v ^ sink; }\n"
        }
        for k in 0..<16 {
            text += """
                static inline __attribute__((always_inline)) int mid_\(k)(int v, int w)
                {
                \tint r = leaf_\(k)(v);
                \tif (w > \(k)) r += leaf_\((k + 3) % 16)(w);
                \treturn r;
                }

                """
        }
        for i in 0..<functions {
            let callee = i == 0 ? "sink" : "fn_\(i - 1)(n - 1)"
            text += """
                __attribute__((noinline)) int fn_\(i)(int n)
                {
                \tint t = 0;
                \tfor (int j = 0; j < n; j++)
                \t\tt += mid_\(i % 16)(j, n) + mid_\((i + 5) % 16)(t, j);
                \tif (t & 1) t += \(callee);
                \treturn t;
                }

                """
        }
        text += "int main(int argc, char **argv) { (void)argv; return fn_\(functions - 1)(argc) & 1; }\n"
        return text
    }
}
