public import TraceEvents

/// An event stream followed by the losses it does not report: after the inner stream ends, each
/// CPU whose known loss (`record`'s ring-buffer statistics: overruns, dropped events, commit
/// overruns) exceeds the loss the stream reported gets one `.dataLoss(.lost)` event with the
/// difference, counted in `statistics` like a `CPU:N [LOST M EVENTS]` line.
///
/// A trace.dat reports overwritten events in its page headers, but events dropped when the
/// buffer was full (overwrite off) or lost to a commit overrun appear nowhere in the pages.
public final class UnreportedLossStream: EventStream {
    private let inner: any EventStream
    private let knownLossByCPU: () -> [Int32: UInt64]
    private var added = TraceStatistics()
    private var origin = EventOrigin(file: 0, line: 0)

    public init(_ inner: any EventStream, knownLossByCPU: [Int32: UInt64]) {
        self.inner = inner
        self.knownLossByCPU = { knownLossByCPU }
    }

    /// `knownLossByCPU` is asked when the inner stream has ended (a live recording knows its
    /// losses only once the capture stopped).
    public init(_ inner: any EventStream, knownLossByCPU: @escaping () -> [Int32: UInt64]) {
        self.inner = inner
        self.knownLossByCPU = knownLossByCPU
    }

    public var statistics: TraceStatistics {
        var s = inner.statistics
        s.merge(added)
        return s
    }

    public func read(sink: (TraceEvent) throws -> Void) throws {
        try inner.read { event in
            origin = event.origin
            try sink(event)
        }
        let reported = inner.statistics.lostEventsByCPU
        for (cpu, known) in knownLossByCPU().sorted(by: { $0.key < $1.key }) {
            let missing = known - min(known, reported[cpu] ?? 0)
            guard missing > 0 else { continue }
            added.dataLossMarkers += 1
            added.noteLostEvents(missing, cpu: cpu)
            origin.line += 1
            try sink(TraceEvent(origin: origin, timestamp: nil, timestampKind: .none, cpu: cpu, pid: -1, comm: "",
                                name: "<data-loss>", filesystem: nil,
                                payload: .dataLoss(DataLoss(kind: .lost, cpu: cpu, count: missing))))
        }
    }
}
