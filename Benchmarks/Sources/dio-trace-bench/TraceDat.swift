import ArgumentParser
import Foundation
import TraceDat
import TraceEvents

/// Throughput of `TraceDatReader` (full decode into `TraceEvent`s) against `trace-cmd report`
/// on the same file, in one run.
///
/// Without an argument it uses the largest committed fixture (`Fixtures/tracedat/k6.1-dio-splice.dat`,
/// 69,205 events) and repeats each measurement until enough events have been processed; both
/// sides are timed per complete pass (open + iterate), so the rates are comparable.
struct TraceDatBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracedat",
        abstract: "Measure trace.dat decoding (events/s) against `trace-cmd report -i FILE > /dev/null`.")

    static let defaultFile = Measure.repositoryRoot.appendingPathComponent("Fixtures/tracedat/k6.1-dio-splice.dat").path

    @Argument(help: "A trace.dat file (default: the largest fixture).")
    var file: String = TraceDatBench.defaultFile

    @Option(help: "Minimum number of events to decode with TraceDatReader (the file is re-read as often as needed).")
    var minEvents: Int = 3_000_000

    @Option(help: "Minimum seconds to spend running trace-cmd report.")
    var reportSeconds: Double = 2.0

    func run() throws {
        // TraceDatReader: full decode, sink does minimal work. Opening (headers, sections
        // decompressed, event names and IDs) and iterating are timed separately.
        var passes = 0
        var events: UInt64 = 0
        var decoded: UInt64 = 0
        var checksum: UInt64 = 0
        let clock = ContinuousClock()
        var openTime = Duration.zero
        var readTime = Duration.zero
        repeat {
            let t0 = clock.now
            let reader = try TraceDatReader(path: file, fileIndex: 0)
            let t1 = clock.now
            try reader.read { e in checksum &+= UInt64(bitPattern: Int64(e.pid)) &+ (e.timestamp ?? 0) }
            openTime += t1 - t0
            readTime += clock.now - t1
            events += reader.statistics.events
            decoded += reader.statistics.decodedEvents
            passes += 1
        } while events < UInt64(minEvents) && passes < 100_000
        let readerSeconds = Measure.seconds(openTime + readTime)
        let readerRate = Double(events) / readerSeconds
        let decodeRate = Double(events) / Measure.seconds(readTime)

        // trace-cmd report -i FILE > /dev/null
        var reportPasses = 0
        let perPass = events / UInt64(passes)
        let reportStart = clock.now
        repeat {
            guard try Measure.run("trace-cmd", ["report", "-i", file]) == 0 else { throw ValidationError("trace-cmd report failed on \(file)") }
            reportPasses += 1
        } while Measure.seconds(clock.now - reportStart) < reportSeconds
        let reportSecondsTotal = Measure.seconds(clock.now - reportStart)
        let reportRate = Double(perPass) * Double(reportPasses) / reportSecondsTotal

        print("file: \(file) (\(perPass) events per pass)")
        print(String(format: "TraceDatReader decode (read): %llu events (%llu decoded) in %.3f s = %.0f events/s",
                     events, decoded, Measure.seconds(readTime), decodeRate))
        print(String(format: "TraceDatReader open+read: %d passes in %.3f s (open %.3f s) = %.0f events/s",
                     passes, readerSeconds, Measure.seconds(openTime), readerRate))
        print(String(format: "trace-cmd report > /dev/null: %d passes in %.3f s = %.0f events/s",
                     reportPasses, reportSecondsTotal, reportRate))
        print(String(format: "ratio vs trace-cmd report: %.1fx (open+read), %.1fx (decode only)",
                     readerRate / reportRate, decodeRate / reportRate))
        if checksum == 42 { print("") }  // keep the sink's work observable
    }
}
