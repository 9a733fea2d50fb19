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

    /// How long the merge sleeps when a CPU's reader has not published far enough: 1 ms after
    /// progress, doubling while nothing moves, up to 20 ms (an idle command costs few wake-ups).
    static let idleMicroseconds: (first: UInt32, most: UInt32) = (1000, 20_000)

    public init(header: String, sources: [any LiveCPUPages], refreshCommandLines: (() -> [UInt8]?)? = nil) throws {
        reader = try TraceDatReader(path: header, fileIndex: 0)
        reader.refreshCommandLines = refreshCommandLines
        self.sources = sources
    }

    public func read(sink: (TraceEvent) throws -> Void) throws {
        var delivered = 0, seen = 0
        var pause = Self.idleMicroseconds.first
        outOfOrderRecords = try reader.readLive(sources, idle: {
            pause = delivered == seen ? min(pause * 2, Self.idleMicroseconds.most) : Self.idleMicroseconds.first
            seen = delivered
            usleep(pause)
        }, sink: { event in
            delivered += 1
            try sink(event)
        })
    }

    public var statistics: TraceStatistics { reader.statistics }
}
