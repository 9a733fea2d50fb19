public import BtrfsAccounting
public import TraceDat
public import TraceEvents
#if canImport(Glibc)
import Glibc
#endif

/// The events of a recording while it runs (`record`): each CPU's pages as its reader publishes
/// them, merged in the order the trace.dat written from them afterwards gives
/// (`TraceDatReader.readLive`). `header` is a trace.dat without pages, written before tracing
/// started: its formats, kallsyms and command lines.
public final class LiveTraceDatStream: EventStream {
    public let reader: TraceDatReader
    private let sources: [any LiveCPUPages]
    /// After `read`: records that came too late for their place (see `readLive`); when not 0, the
    /// events were not in the saved trace.dat's order.
    public private(set) var outOfOrderRecords = 0

    /// How long the merge sleeps when a CPU's reader has not published far enough.
    static let idleMicroseconds: UInt32 = 1000

    public init(header: String, sources: [any LiveCPUPages], refreshCommandLines: (() -> [UInt8]?)? = nil) throws {
        reader = try TraceDatReader(path: header, fileIndex: 0)
        reader.refreshCommandLines = refreshCommandLines
        self.sources = sources
    }

    public func read(sink: (TraceEvent) throws -> Void) throws {
        outOfOrderRecords = try reader.readLive(sources, idle: { usleep(Self.idleMicroseconds) }, sink: sink)
    }

    public var statistics: TraceStatistics { reader.statistics }
}
