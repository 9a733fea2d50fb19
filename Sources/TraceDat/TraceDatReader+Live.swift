public import TraceEvents
public import TraceInput

extension TraceDatReader {
    /// Reads the pages of a live recording as they are published, in the order `read(sink:)`
    /// gives for the trace.dat written from the same pages afterwards: the earliest record of
    /// all CPUs (ties: the lower CPU). This reader's own file gives only the headers and formats
    /// (a trace.dat with no pages, written before recording started).
    ///
    /// A record is passed on once every other CPU either shows a record or drained after the
    /// record's page was published (`LivePagesState`); until then the merge waits (`idle`, then
    /// asks again), the pages queuing in the recorder's files, not in memory. Returns when every
    /// CPU is finished and consumed.
    ///
    /// - Parameter idle: called when the merge must wait for a recorder (sleep briefly).
    /// - Returns: the records that arrived after the merge had passed their place (a CPU's
    ///   record reserved before another CPU's but committed after that CPU had drained): when
    ///   not 0, the order differs from the saved trace.dat's and the caller should read that.
    public func readLive(_ sources: [any LiveCPUPages], idle: () -> Void, sink: (TraceEvent) throws -> Void) throws -> Int {
        guard !hasRead else { throw InputError(file: path, message: "TraceDatReader.readLive called twice; open a new reader") }
        hasRead = true
        defer { countEventsByName() }
        do {
            var merge = LiveMerge(streams: try sources.sorted { $0.cpu < $1.cpu }.map { source throws(TraceDatCorruption) in
                try RingBufferStream(layout: layout, live: LivePageCursor(source))
            })
            while let chosen = try merge.next(idle: idle) {
                let stream = merge.streams[chosen]
                guard let record = stream.current else { continue }
                try consume(record, cpu: stream.cpu, sink: sink)
                merge.emitted(record.timestamp, from: chosen)
                try stream.advance()
            }
            return merge.outOfOrder
        } catch let corruption as TraceDatCorruption {
            throw inputError(corruption)
        }
    }
}

extension TraceDatReader {
    /// The pages of each CPU of the top buffer, decompressed, and the page size (tests publish
    /// them as a live recorder would).
    func pagesByCPU() throws(TraceDatCorruption) -> (pageSize: Int, cpus: [(cpu: Int, pages: [[UInt8]])]) {
        guard let top = layout.buffers.first(where: { $0.name.isEmpty }) else { return (layout.pageSize, []) }
        let cpus = try top.cpus.filter { $0.size > 0 }.map { cpu throws(TraceDatCorruption) in
            (Int(cpu.cpu), try RingBufferStream.pages(layout: layout, buffer: top, cpu: cpu, file: fileBytes))
        }
        return (top.pageSize, cpus)
    }
}

/// The merge state of `TraceDatReader.readLive`: which stream's record goes next, and whether a
/// record that arrived late would have gone earlier in the finished file.
struct LiveMerge {
    let streams: [RingBufferStream]
    private(set) var outOfOrder = 0
    /// Per stream without a record: the greatest (time stamp, stream) passed on since it had none.
    /// Its next record must come after that, as the finished file's merge would have taken it first.
    private var passedWhileEmpty: [(timestamp: UInt64, index: Int)?]

    init(streams: [RingBufferStream]) {
        self.streams = streams
        passedWhileEmpty = Array(repeating: nil, count: streams.count)
    }

    /// The stream whose record goes next; nil when every stream is finished.
    mutating func next(idle: () -> Void) throws(TraceDatCorruption) -> Int? {
        while true {
            guard let chosen = RingBufferStream.earliest(in: streams) else {
                if streams.allSatisfy({ $0.live?.ended ?? true }) { return nil }
                idle()
                try refresh { _ in true }
                continue
            }
            let ticket = streams[chosen].live?.pageTicket ?? 0
            // A stream without a record that has not drained since the chosen record's page was
            // published may still deliver an earlier one.
            let blocking: (RingBufferStream) -> Bool = { stream in
                guard let live = stream.live, !live.ended else { return false }
                return live.state.drainedTicket <= ticket
            }
            guard streams.contains(where: { $0.current == nil && blocking($0) }) else { return chosen }
            if try refresh(blocking) { continue }
            if streams.contains(where: { $0.current == nil && blocking($0) }) { idle() }
        }
    }

    /// Notes a record passed on (every stream without one must later deliver after it).
    mutating func emitted(_ timestamp: UInt64, from index: Int) {
        for i in passedWhileEmpty.indices where i != index && streams[i].current == nil {
            if let passed = passedWhileEmpty[i], (passed.timestamp, passed.index) >= (timestamp, index) { continue }
            passedWhileEmpty[i] = (timestamp, index)
        }
    }

    /// Asks the recorder again for the streams without a record that `which` selects.
    /// - Returns: whether one of them now has a record.
    private mutating func refresh(_ which: (RingBufferStream) -> Bool) throws(TraceDatCorruption) -> Bool {
        var arrived = false
        for (i, stream) in streams.enumerated() where stream.current == nil && which(stream) {
            try stream.advance()
            guard let record = stream.current else { continue }
            arrived = true
            if let passed = passedWhileEmpty[i], (record.timestamp, i) < (passed.timestamp, passed.index) { outOfOrder += 1 }
            passedWhileEmpty[i] = nil
        }
        return arrived
    }
}
