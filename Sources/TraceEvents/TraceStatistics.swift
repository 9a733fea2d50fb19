/// A non-fatal input problem, kept with its location (the first ones of each kind).
public struct InputProblem: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case unrecognized = "unrecognized-line"
        case malformed = "malformed-event"
        case overlong = "overlong-line"
        case unterminated = "unterminated-line"
        case timestampBackwards = "timestamp-backwards"
        case dataLoss = "data-loss"
    }
    public var kind: Kind
    public var file: String
    public var line: Int
    public var message: String

    /// Whether `self` is listed before `other` of the same input: by line, then by kind (the
    /// declaration order), so two problems of one line come out in one order however the line's
    /// checks ran (a backwards timestamp across a mapped block boundary is noted after the
    /// block's own problems; streamed, in the line's order).
    func precedes(_ other: InputProblem) -> Bool {
        line != other.line ? line < other.line : kind.rank < other.kind.rank
    }
}

extension InputProblem.Kind {
    fileprivate var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}

/// Counters over everything read; nothing is dropped silently.
public struct TraceStatistics: Sendable, Equatable {
    public var bytes: UInt64 = 0
    public var lines: UInt64 = 0
    public var events: UInt64 = 0
    public var decodedEvents: UInt64 = 0
    public var eventsByName: [String: UInt64] = [:]
    public var unrecognizedLines: UInt64 = 0
    public var malformedLines: UInt64 = 0
    public var overlongLines: UInt64 = 0
    public var unterminatedLines: UInt64 = 0
    public var timestampsBackwards: UInt64 = 0
    /// Events the trace says were lost (`[LOST N EVENTS]`, `EVENTS DROPPED`, overwritten entries).
    public var lostEvents: UInt64 = 0
    /// Number of lost/overwritten markers (some do not say how many events).
    public var dataLossMarkers: UInt64 = 0
    public var commentLines: UInt64 = 0
    public var callchainLines: UInt64 = 0
    public var problems: [InputProblem] = []
    /// Detected format per input, in input order.
    public var formats: [String] = []

    public static let problemLimit = 50

    public init() {}

    mutating func note(_ kind: InputProblem.Kind, file: String, line: Int, _ message: @autoclosure () -> String) {
        let problem = InputProblem(kind: kind, file: file, line: line, message: "")
        if problems.count < Self.problemLimit || (problems.last.map { $0.file == file && problem.precedes($0) } ?? false) {
            insert(InputProblem(kind: kind, file: file, line: line, message: message()))
        }
    }

    /// Keeps each input's problems in line order (then kind order), whatever order blocks were decoded or merged
    /// in, and the first `problemLimit` of them: a mapped (parallel) and a streamed read of the
    /// same input list the same problems.
    mutating func insert(_ p: InputProblem) {
        let index = problems.lastIndex(where: { $0.file != p.file || !p.precedes($0) }).map { $0 + 1 } ?? 0
        if problems.count >= Self.problemLimit && index >= problems.count { return }
        problems.insert(p, at: index)
        if problems.count > Self.problemLimit { problems.removeLast(problems.count - Self.problemLimit) }
    }

    /// Adds the counters of the next block of the same input, whose line numbers started at 1:
    /// they are shifted by `lineOffset`, and its format is not listed again.
    public mutating func mergeBlock(_ other: TraceStatistics, lineOffset: Int) {
        var shifted = other
        shifted.formats = []
        shifted.problems = []
        merge(shifted)
        for var p in other.problems {
            p.line += lineOffset
            insert(p)
        }
    }

    /// Records a timestamp that went backwards across a block boundary.
    public mutating func noteBackwards(file: String, line: Int) {
        timestampsBackwards += 1
        note(.timestampBackwards, file: file, line: line, "timestamp goes backwards")
    }

    /// Adds another input's counters.
    public mutating func merge(_ other: TraceStatistics) {
        bytes += other.bytes
        lines += other.lines
        events += other.events
        decodedEvents += other.decodedEvents
        for (k, v) in other.eventsByName { eventsByName[k, default: 0] += v }
        unrecognizedLines += other.unrecognizedLines
        malformedLines += other.malformedLines
        overlongLines += other.overlongLines
        unterminatedLines += other.unterminatedLines
        timestampsBackwards += other.timestampsBackwards
        lostEvents += other.lostEvents
        dataLossMarkers += other.dataLossMarkers
        commentLines += other.commentLines
        callchainLines += other.callchainLines
        for p in other.problems where problems.count < Self.problemLimit { problems.append(p) }
        formats += other.formats
    }
}
