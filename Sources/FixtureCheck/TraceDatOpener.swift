public import BtrfsAccounting
import TraceDat
public import TraceEvents

/// Reads trace.dat files for cases (module TraceDat's native reader).
/// Losses the file's CPUSTAT options count and its pages do not report are added at the end of
/// their CPU (`UnreportedLossStream`), so `analyze FILE.dat` reports what `record` reported live.
public final class TraceDatEventStream: EventStream {
    let stream: any EventStream

    public init(path: String, fileIndex: Int32) throws {
        let reader = Pages(try TraceDatReader(path: path, fileIndex: fileIndex))
        let loss = reader.reader.statisticsLossByCPU
        stream = loss.isEmpty ? reader : UnreportedLossStream(reader, knownLossByCPU: loss)
    }

    public func read(sink: (TraceEvent) throws -> Void) throws { try stream.read(sink: sink) }
    public var statistics: TraceStatistics { stream.statistics }

    /// The events and statistics of the pages alone.
    final class Pages: EventStream {
        let reader: TraceDatReader
        init(_ reader: TraceDatReader) { self.reader = reader }
        func read(sink: (TraceEvent) throws -> Void) throws { try reader.read(sink: sink) }
        var statistics: TraceStatistics { reader.statistics }
    }

    /// The opener `Analysis.run` takes.
    public static let opener: Analysis.TraceDatOpener = { path, index in try TraceDatEventStream(path: path, fileIndex: index) }
}
