public import BtrfsAccounting
import TraceDat
public import TraceEvents

/// Reads trace.dat files for cases (module TraceDat's native reader).
public final class TraceDatEventStream: EventStream {
    let reader: TraceDatReader
    public init(path: String, fileIndex: Int32) throws { reader = try TraceDatReader(path: path, fileIndex: fileIndex) }
    public func read(sink: (TraceEvent) throws -> Void) throws { try reader.read(sink: sink) }
    public var statistics: TraceStatistics { reader.statistics }

    /// The opener `Analysis.run` takes.
    public static let opener: Analysis.TraceDatOpener = { path, index in try TraceDatEventStream(path: path, fileIndex: index) }
}
