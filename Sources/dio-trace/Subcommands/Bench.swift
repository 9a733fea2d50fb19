import ArgumentParser
import BtrfsAccounting
import Foundation
import TraceEvents
import TraceInput

/// `dio-trace bench`: throughput and memory of `analyze` on a large trace built by replicating a
/// real capture, next to `wc -l` on the same file, in one run; then the gzip-compressed trace
/// inflated and analyzed with ISA-L and with the zlib fallback, next to `zcat`.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure analyze throughput (MB/s, events/s, peak memory) against wc -l on a replicated real capture.")

    @Option(help: "Real capture to replicate (plain or gzip).")
    var source: String = "Fixtures/kernel-6.1-qemu/dio-splice/ftrace.txt.gz"

    @Option(help: "Size of the generated trace in MB.")
    var sizeMb: Int = 512

    @Option(help: "Where to write the generated trace.")
    var output: String = "bench-data/bench-trace.txt"

    func run() throws {
        let data = try decompressed(source)
        let target = sizeMb << 20
        let dir = (output as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let existing = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        if existing < target {
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            guard let handle = FileHandle(forWritingAtPath: output) else { throw ValidationError("cannot write \(output)") }
            var written = 0
            while written < target {
                handle.write(data)
                written += data.count
            }
            try handle.close()
        }
        let size = (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        let mb = Double(size) / 1_048_576
        print("trace: \(output), \(String(format: "%.1f", mb)) MB (\(source) replicated)")

        // Warm the page cache once so both measurements read from memory.
        _ = try time { _ = try runProcess("/bin/cat", [output]) }

        let wc = try time { _ = try runProcess("/usr/bin/wc", ["-l", output]) }
        var report: AnalysisReport?
        let analyze = try time { report = try Analysis.run(paths: [output]) }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024
        let events = Double(report?.statistics.events ?? 0)
        print(String(format: "wc -l:    %7.3f s  %8.1f MB/s", wc, mb / wc))
        print(String(format: "analyze:  %7.3f s  %8.1f MB/s  %10.0f events/s  (%.0f events, %d findings)",
                     analyze, mb / analyze, events / analyze, events, report?.findings.count ?? 0))
        print(String(format: "ratio analyze/wc-l throughput: %.3f", wc / analyze))

        // The streamed path: the same trace gzip-compressed (decompressed on a second core).
        let gz = output + ".gz"
        let gzSize = (try? FileManager.default.attributesOfItem(atPath: gz)[.size] as? Int) ?? 0
        if gzSize == 0 || (try? FileManager.default.attributesOfItem(atPath: gz)[.modificationDate] as? Date) ?? .distantPast
            < (try? FileManager.default.attributesOfItem(atPath: output)[.modificationDate] as? Date) ?? .distantPast {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "gzip -1 -c '\(output)' > '\(gz)'"]
            try p.run()
            p.waitUntilExit()
        }
        let zcat = try time { _ = try runProcess("/usr/bin/env", ["zcat", gz]) }
        print(String(format: "zcat .gz:    %7.3f s  %8.1f MB/s of trace text", zcat, mb / zcat))
        // Inflate alone and analyze, with ISA-L (when present) and with the zlib fallback.
        var inflateTimes: [GzipBackend: Double] = [:]
        for backend in GzipBackend.allCases where backend == .zlib || GzipBackend.isalAvailable {
            let inflate = try time { try inflateAll(gz, backend) }
            inflateTimes[backend] = inflate
            print(String(format: "inflate .gz (%@): %7.3f s  %8.1f MB/s of trace text", backend.rawValue, inflate, mb / inflate))
            var gzReport: AnalysisReport?
            let gzTime = try withGzipBackend(backend) { try time { gzReport = try Analysis.run(paths: [gz]) } }
            print(String(format: "analyze .gz (%@): %7.3f s  %8.1f MB/s of trace text  %10.0f events/s",
                         backend.rawValue, gzTime, mb / gzTime, Double(gzReport?.statistics.events ?? 0) / gzTime))
        }
        if let isal = inflateTimes[.isal], let zlib = inflateTimes[.zlib] {
            print(String(format: "inflate speed ISA-L/zlib: %.2fx, ISA-L/zcat: %.2fx", zlib / isal, zcat / isal))
        }
        print(String(format: "peak memory (max RSS): %.1f MB", peakMB))
    }

    /// Inflates `path` with `backend` into a reused 1 MiB buffer, discarding the bytes.
    func inflateAll(_ path: String, _ backend: GzipBackend) throws {
        let source = try GzipSource(wrapping: FileDescriptorSource(path: path), backend: backend)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while try source.read(into: buffer) > 0 {}
    }

    /// Runs `body` with `DIO_TRACE_GZIP` naming `backend` (the opener's choice), then restores it.
    func withGzipBackend<T>(_ backend: GzipBackend, _ body: () throws -> T) rethrows -> T {
        let saved = getenv("DIO_TRACE_GZIP").map { String(cString: $0) }
        setenv("DIO_TRACE_GZIP", backend.rawValue, 1)
        defer { if let saved { setenv("DIO_TRACE_GZIP", saved, 1) } else { unsetenv("DIO_TRACE_GZIP") } }
        return try body()
    }

    func decompressed(_ path: String) throws -> Data {
        Data(try TraceInputOpener.open(path: path).0.readAll())
    }

    func time(_ body: () throws -> Void) throws -> Double {
        var a = timespec(), b = timespec()
        clock_gettime(CLOCK_MONOTONIC, &a)
        try body()
        clock_gettime(CLOCK_MONOTONIC, &b)
        return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9
    }

    func runProcess(_ tool: String, _ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
