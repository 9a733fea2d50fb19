import TraceInput

/// Passes a source through to a `TraceReader` and, each time the reader asks for the next chunk,
/// counts the events it read since the last one into a `ProgressCounter`. Runs on the reader's
/// thread, so it reads the statistics without a race, and costs nothing per line.
final class EventTallySource: ByteSource {
    var name: String { upstream.name }
    private let upstream: any ByteSource
    private unowned let reader: TraceReader
    private let counter: ProgressCounter
    private var counted: UInt64 = 0

    init(_ upstream: any ByteSource, reader: TraceReader, counter: ProgressCounter) {
        self.upstream = upstream
        self.reader = reader
        self.counter = counter
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let events = reader.statistics.events
        if events > counted {
            counter.add(events: Int(events - counted))
            counted = events
        }
        return try upstream.read(into: buffer)
    }
}
