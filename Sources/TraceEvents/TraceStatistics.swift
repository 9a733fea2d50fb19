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
    /// `lostEvents` of the markers that name their CPU (`CPU:N [LOST M EVENTS]`, a trace.dat
    /// page's missed events, `record`'s ring-buffer statistics), by CPU.
    public var lostEventsByCPU: [Int32: UInt64] = [:]
    /// Number of lost/overwritten markers (some do not say how many events).
    public var dataLossMarkers: UInt64 = 0
    // Lines by kind: with `events`, `unrecognizedLines` and `overlongLines` these sum to `lines`
    // for text input (`linesByKind`).
    public var blankLines: UInt64 = 0
    /// `#` headers and legends, `$ command`, trace-cmd `cpus=` / `version =` / `CPU N is empty`.
    public var commentLines: UInt64 = 0
    /// perf call-chain frames.
    public var callchainLines: UInt64 = 0
    /// Function tracer calls (`func <-parent`).
    public var functionLines: UInt64 = 0
    /// function_graph tracer output.
    public var functionGraphLines: UInt64 = 0
    /// `<stack trace>` heads and their ` => func` frames.
    public var stackTraceLines: UInt64 = 0
    /// `CPU:N [LOST M EVENTS]`, `[EVENTS DROPPED]`, `##### CPU N buffer started ####` lines.
    public var dataLossLines: UInt64 = 0
    public var problems: [InputProblem] = []

    /// Problems noted against `path` name `name` instead (a temporary copy read for an input).
    public mutating func renameFile(_ path: String, to name: String) {
        for index in problems.indices where problems[index].file == path { problems[index].file = name }
    }
    /// Detected format per input, in input order.
    public var formats: [String] = []

    public static let problemLimit = 50

    public init() {}

    /// Every line read, by kind, in a fixed order (JSON `lines_by_kind`). Known non-accounting
    /// lines (comments, call chains, function and function_graph tracer output, stack traces)
    /// are counted like unrecognized ones are: nothing read is dropped without a count.
    public var linesByKind: [(kind: String, count: UInt64)] {
        [("event", events), ("blank", blankLines), ("comment", commentLines), ("callchain", callchainLines),
         ("function", functionLines), ("function_graph", functionGraphLines), ("stack_trace", stackTraceLines),
         ("data_loss", dataLossLines), ("unrecognized", unrecognizedLines), ("overlong", overlongLines)]
    }

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

    /// Counts `count` lost events; `cpu` -1 when the marker names no CPU.
    public mutating func noteLostEvents(_ count: UInt64, cpu: Int32) {
        lostEvents += count
        if cpu >= 0 { lostEventsByCPU[cpu, default: 0] += count }
    }

    /// Records a timestamp that went backwards across a block boundary.
    public mutating func noteBackwards(file: String, line: Int) {
        timestampsBackwards += 1
        note(.timestampBackwards, file: file, line: line, "timestamp goes backwards")
    }

    /// Adds another input's counters.
    public mutating func merge(_ other: TraceStatistics) {
        for counter in Self.counters { self[keyPath: counter.value] += other[keyPath: counter.value] }
        for (k, v) in other.eventsByName { eventsByName[k, default: 0] += v }
        for (cpu, v) in other.lostEventsByCPU { lostEventsByCPU[cpu, default: 0] += v }
        for p in other.problems where problems.count < Self.problemLimit { problems.append(p) }
        formats += other.formats
    }
}

/// One counter of `TraceStatistics`: its JSON key, its words in the text report and when the
/// text shows it. `TraceStatistics.counters` is the one table that merging, `--format json` and
/// the text report's statistics line are driven by: a new counter is one row.
public struct StatisticsCounter: Sendable {
    public enum TextVisibility: Sendable { case always, whenNonZero, never }
    public let key: String
    public let label: String
    public let text: TextVisibility
    public let value: WritableKeyPath<TraceStatistics, UInt64> & Sendable
}

extension TraceStatistics {
    /// Every counter, in the order `--format json` writes them.
    public static let counters: [StatisticsCounter] = [
        StatisticsCounter(key: "lines", label: "lines", text: .never, value: \.lines),
        StatisticsCounter(key: "events", label: "events", text: .never, value: \.events),
        StatisticsCounter(key: "decoded_events", label: "accounting events", text: .never, value: \.decodedEvents),
        StatisticsCounter(key: "unrecognized_lines", label: "unrecognized lines", text: .always, value: \.unrecognizedLines),
        StatisticsCounter(key: "malformed_lines", label: "malformed", text: .always, value: \.malformedLines),
        StatisticsCounter(key: "lost_events", label: "lost events", text: .always, value: \.lostEvents),
        StatisticsCounter(key: "data_loss_markers", label: "data-loss markers", text: .never, value: \.dataLossMarkers),
        StatisticsCounter(key: "overlong_lines", label: "overlong lines", text: .whenNonZero, value: \.overlongLines),
        StatisticsCounter(key: "unterminated_lines", label: "unterminated lines", text: .whenNonZero, value: \.unterminatedLines),
        StatisticsCounter(key: "timestamps_backwards", label: "timestamps backwards", text: .whenNonZero, value: \.timestampsBackwards),
        StatisticsCounter(key: "bytes", label: "bytes", text: .never, value: \.bytes),
        StatisticsCounter(key: "comment_lines", label: "comment lines", text: .never, value: \.commentLines),
        StatisticsCounter(key: "callchain_lines", label: "call-chain lines", text: .never, value: \.callchainLines),
        StatisticsCounter(key: "blank_lines", label: "blank lines", text: .never, value: \.blankLines),
        StatisticsCounter(key: "function_lines", label: "function tracer lines", text: .never, value: \.functionLines),
        StatisticsCounter(key: "function_graph_lines", label: "function_graph lines", text: .never, value: \.functionGraphLines),
        StatisticsCounter(key: "stack_trace_lines", label: "stack trace lines", text: .never, value: \.stackTraceLines),
        StatisticsCounter(key: "data_loss_lines", label: "data-loss lines", text: .never, value: \.dataLossLines),
    ]
}
