import ArgumentParser
import BtrfsAccounting
import Foundation
import TraceInput

/// `dio-trace-bench gzip`: the replicated trace gzip-compressed (`gzip -1`), inflated alone and
/// analyzed with ISA-L (when present) and with the zlib fallback, next to `zcat` on the same file,
/// and analyzed with the text parsed on one thread (the single-core path) for a same-run ratio.
struct GzipBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gzip",
        abstract: "Measure inflating and analyzing a gzip trace (ISA-L, zlib) against zcat on the same file.")

    @OptionGroup var trace: ReplicatedTrace

    func run() throws {
        let (path, mb) = try trace.prepare()
        let gz = path + ".gz"
        let attributes = { (p: String) in try? FileManager.default.attributesOfItem(atPath: p) }
        let gzDate = attributes(gz)?[.modificationDate] as? Date ?? .distantPast
        let textDate = attributes(path)?[.modificationDate] as? Date ?? .distantPast
        if (attributes(gz)?[.size] as? Int ?? 0) == 0 || gzDate < textDate {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "gzip -1 -c '\(path)' > '\(gz)'"]
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw ValidationError("gzip -1 failed on \(path)") }
        }
        let gzMB = Double(attributes(gz)?[.size] as? Int ?? 0) / 1_048_576
        print("gzip -1: \(gz), \(String(format: "%.1f", gzMB)) MB")
        try Measure.run("cat", [gz])  // page cache

        let zcat = try Measure.timeRun("zcat", [gz])
        print(String(format: "zcat .gz:    %7.3f s  %8.1f MB/s of trace text", zcat, mb / zcat))
        var inflateTimes: [GzipBackend: Double] = [:]
        for backend in GzipBackend.allCases where backend == .zlib || GzipBackend.isalAvailable {
            let inflate = try Measure.seconds { try inflateAll(gz, backend) }
            inflateTimes[backend] = inflate
            print(String(format: "inflate .gz (%@): %7.3f s  %8.1f MB/s of trace text  (zcat/inflate time %.2f)",
                         backend.rawValue, inflate, mb / inflate, zcat / inflate))
            var report: AnalysisReport?
            let analyze = try withGzipBackend(backend) { try Measure.seconds { report = try Analysis.run(paths: [gz]) } }
            print(String(format: "analyze .gz (%@): %7.3f s  %8.1f MB/s of trace text  %10.0f events/s  (zcat/analyze time %.2f)",
                         backend.rawValue, analyze, mb / analyze, Double(report?.statistics.events ?? 0) / analyze, zcat / analyze))
            // Baseline in the same run: the text parsed on one thread beside the read-ahead (the
            // path before streamed blocks, and the one a single core takes).
            var oneThread = AnalysisOptions()
            oneThread.streamedBlocks = false
            let inline = try withGzipBackend(backend) { try Measure.seconds { _ = try Analysis.run(paths: [gz], options: oneThread) } }
            print(String(format: "analyze .gz (%@), parsed on one thread: %7.3f s  %8.1f MB/s  (blocks/one thread speed %.2fx)",
                         backend.rawValue, inline, mb / inline, inline / analyze))
        }
        if let isal = inflateTimes[.isal], let zlib = inflateTimes[.zlib] {
            print(String(format: "inflate speed ISA-L/zlib: %.2fx, ISA-L/zcat: %.2fx", zlib / isal, zcat / isal))
        }
        print(String(format: "peak memory (max RSS): %.1f MB", Measure.peakRSSMB()))
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
}
