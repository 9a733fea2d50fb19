import TraceEvents

/// A finding told as the seed bug's diagnosis tells it: one column per task that touched the
/// inode or the I/O, one row per event in time order, each with the balances after it and the
/// trace line it comes from. Built from the finding's typed event chain (`FindingStory.make`).
public struct FindingStory: Sendable, Equatable {
    /// `dio_efault-2193`, in order of first appearance.
    public struct Task: Sendable, Equatable {
        public var comm: String
        public var pid: Int32
        /// `(trace)` for the trace's own markers (lost events), which no task printed.
        public var label: String { pid < 0 ? "(trace)" : "\(comm)-\(pid)" }
    }

    public struct Row: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// An event of the chain (or of the inode's direct-I/O history).
            case event
            /// Events the ledger left out of the chain to bound its memory.
            case elided(Int)
            /// What the finding concludes at its last event ("release skipped: ...").
            case conclusion
        }
        public var kind: Kind
        public var timestamp: UInt64?
        /// Index into `tasks`; nil for elisions and conclusions.
        public var task: Int?
        public var text: String
        /// Balances after this row, per `FindingStory.balances` (nil: not known after an elision).
        public var balances: [Int64?]
        public var file: String?
        public var line: Int?
    }

    public var index: Int
    public var rule: Rule
    public var severity: Severity
    /// `inode 262 (root 5), fs 7303ae2a-...: 256 KiB`.
    public var subject: String
    public var message: String
    public var tasks: [Task]
    /// The balances shown next to each row, in `BalanceKind.allCases` order.
    public var balances: [BalanceKind]
    public var rows: [Row]
}

extension FindingStory {
    /// Stories of every finding of `report`, in report order (index = position, from 1).
    public static func make(_ report: AnalysisReport) -> [FindingStory] {
        report.findings.enumerated().map { make($1, index: $0 + 1, evictions: report.evictions) }
    }

    /// The story of one finding. `evictions` supplies the inode's direct-I/O writes (their begin
    /// and result) when the chain itself does not hold them.
    public static func make(_ finding: Finding, index: Int, evictions: [InodeEviction] = []) -> FindingStory {
        var events = finding.events.map { ($0, false) }
        var seen = Set(finding.events.map { LineKey(file: $0.file, line: $0.line) })
        // The inode's direct-I/O writes that fall inside the chain's time span.
        if finding.io == nil, let inode = finding.inode, let first = finding.events.first?.timestamp,
           let last = finding.events.last?.timestamp,
           let eviction = evictions.last(where: { $0.inode == inode && $0.root == finding.root && $0.filesystem == finding.filesystem }) {
            // A write that overlaps the chain's time span: its begin and its end.
            // 4.x task windows are bounded by reservations, not by I/O events: nothing to add.
            for record in eviction.history where record.io.source != "task-window" {
                let begin = record.begin.timestamp ?? 0, end = record.end?.timestamp ?? begin
                guard end >= first, begin <= last else { continue }
                for ref in [record.begin] + (record.end.map { [$0] } ?? []) where seen.insert(LineKey(file: ref.file, line: ref.line)).inserted {
                    events.append((ref, true))
                }
            }
        }
        // Stable time order; the elision point stays between the head and the tail of the chain.
        let elisionAfter = finding.elidedEvents > 0 ? min(EventChainLayout.head, finding.events.count) : nil
        let headCount = elisionAfter ?? finding.events.count
        var head = Array(events.prefix(headCount)) + events.dropFirst(finding.events.count)
        var tail = Array(events[headCount..<finding.events.count])
        if elisionAfter != nil {
            // History events after the head's last time go with the tail.
            let split = head.last(where: { !$0.1 })?.0.timestamp ?? 0
            tail += head.filter { $0.1 && ($0.0.timestamp ?? 0) > split }
            head.removeAll { $0.1 && ($0.0.timestamp ?? 0) > split }
        }
        head = sortedByTime(head)
        tail = sortedByTime(tail)

        var tasks: [Task] = []
        func taskIndex(_ e: EventReference) -> Int {
            if let i = tasks.firstIndex(where: { $0.pid == e.pid && $0.comm == e.task }) { return i }
            tasks.append(Task(comm: e.task, pid: e.pid))
            return tasks.count - 1
        }
        let fsWide = finding.inode == nil
        let steps = (head + tail).map { step(of: $0.0, fsWide: fsWide) }
        let kinds = BalanceKind.allCases.filter { k in steps.contains { $0?.kind == k } }
        var rows: [Row] = []
        var running = [Int64](repeating: 0, count: kinds.count)
        var known = [Bool](repeating: true, count: kinds.count)
        func add(_ e: EventReference, history: Bool) {
            let s = step(of: e, fsWide: fsWide)
            if let s, let k = kinds.firstIndex(of: s.kind) {
                if s.kind == .bytesMayUse, case .spaceInfoUpdate(let u)? = e.operation, let old = u.old, old <= UInt64(Int64.max) {
                    running[k] = Int64(old) &+ u.diff
                    known[k] = true
                } else {
                    running[k] &+= s.delta
                }
            }
            var text = EventNarration.describe(e.operation, event: e.event)
            if let s, s.cause != .event { text = "\(EventNarration.value(-s.delta, s.kind)) \(s.cause.rawValue)" }
            if history { text = ioText(e, finding: finding, evictions: evictions) ?? text }
            rows.append(Row(kind: .event, timestamp: e.timestamp, task: taskIndex(e), text: text,
                            balances: kinds.indices.map { known[$0] ? running[$0] : nil }, file: e.file, line: e.line))
        }
        for (e, h) in head { add(e, history: h) }
        if finding.elidedEvents > 0 {
            rows.append(Row(kind: .elided(finding.elidedEvents), timestamp: nil, task: nil,
                            text: "... \(finding.elidedEvents) events left out of the chain ...", balances: kinds.map { _ in nil }, file: nil, line: nil))
            // After the elision the running values are counted back from the amount the finding holds.
            for k in kinds.indices { known[k] = false }
            if let amount = finding.amount, let k = kinds.firstIndex(of: primaryKind(finding, kinds)) {
                let rest = tail.compactMap { step(of: $0.0, fsWide: fsWide) }.filter { $0.kind == kinds[k] }.reduce(Int64(0)) { $0 &+ $1.delta }
                running[k] = amount &- rest
                known[k] = true
            }
        }
        for (e, h) in tail { add(e, history: h) }
        rows.append(Row(kind: .conclusion, timestamp: rows.last?.timestamp, task: nil, text: conclusion(finding),
                        balances: rows.last?.balances ?? [], file: nil, line: nil))
        return FindingStory(index: index, rule: finding.rule, severity: finding.severity, subject: subject(finding),
                            message: finding.message, tasks: tasks, balances: kinds, rows: rows)
    }

    struct LineKey: Hashable { var file: String; var line: Int }

    static func sortedByTime(_ events: [(EventReference, Bool)]) -> [(EventReference, Bool)] {
        events.enumerated().sorted { a, b in
            let ta = a.element.0.timestamp ?? 0, tb = b.element.0.timestamp ?? 0
            return ta != tb ? ta < tb : (a.element.0.line, a.offset) < (b.element.0.line, b.offset)
        }.map(\.element)
    }

    /// How `e` moved a balance: the ledger's own step, or what the typed event implies.
    static func step(of e: EventReference, fsWide: Bool) -> BalanceStep? {
        if let s = e.step { return s }
        switch e.operation {
        case .spaceReservation(let r)?:
            let d = r.isReserve ? Int64(clamping: r.bytes) : -Int64(clamping: r.bytes)
            switch r.kind {
            case .delalloc: return BalanceStep(kind: .metadataReserved, delta: d)
            case .spaceInfo(.data): return BalanceStep(kind: .dataReserved, delta: d)
            default: return nil
            }
        case .spaceInfoUpdate(let u)? where u.counter == .bytesMayUse:
            if fsWide { return BalanceStep(kind: .bytesMayUse, delta: u.diff) }
            return u.space == .data ? BalanceStep(kind: .dataReserved, delta: u.diff) : nil
        case .outstandingExtents(let c)?: return BalanceStep(kind: .outstandingExtents, delta: c.mod)
        case .orderedExtent(let o)? where o.step == .add: return BalanceStep(kind: .openOrderedExtents, delta: 1)
        case .orderedExtent(let o)? where o.step == .remove: return BalanceStep(kind: .openOrderedExtents, delta: -1)
        case .qgroupData(let q)?:
            return BalanceStep(kind: .qgroupData, delta: q.operation == .reserve ? Int64(clamping: q.reserved) : -Int64(clamping: q.reserved))
        default: return nil
        }
    }

    /// The balance a finding's amount counts.
    static func primaryKind(_ f: Finding, _ kinds: [BalanceKind]) -> BalanceKind {
        switch f.rule.id {
        case Rule.leakAtEvictMetadata.id, Rule.metadataReleasedMoreThanReserved.id: return .metadataReserved
        case Rule.heldAtUnmount.id: return .bytesMayUse
        default:
            if f.unit == .extents { return kinds.contains(.outstandingExtents) ? .outstandingExtents : .openOrderedExtents }
            return kinds.first { !$0.isCount } ?? kinds.first ?? .outstandingExtents
        }
    }

    /// The result of one direct-I/O write of the inode's history, at its begin or end event.
    static func ioText(_ e: EventReference, finding: Finding, evictions: [InodeEviction]) -> String? {
        for ev in evictions where ev.inode == finding.inode {
            for r in ev.history {
                let range = (r.io.offset.map { o in r.io.length.map { EventNarration.range(o, $0) } ?? "at \(o)" }) ?? ""
                if r.begin.line == e.line && r.begin.file == e.file { return "direct write \(range) begins" }
                if let end = r.end, end.line == e.line && end.file == e.file { return resultText(r.io) }
            }
        }
        return nil
    }

    /// `write returned -EFAULT`, `write returned 60 KiB of 64 KiB: 4 KiB not written`.
    static func resultText(_ io: IODescription) -> String {
        guard let r = io.result else { return "write ended (result not traced)" }
        if r < 0 { return "write returned \(EventNarration.errno(r))" }
        if let l = io.length, UInt64(r) < l {
            return "write returned \(EventNarration.bytes(UInt64(r))) of \(EventNarration.bytes(l)): \(EventNarration.bytes(l - UInt64(r))) not written"
        }
        return "write returned \(EventNarration.bytes(UInt64(r)))"
    }

    static func amountText(_ f: Finding) -> String? {
        guard let a = f.amount else { return nil }
        switch f.unit {
        case .bytes: return EventNarration.value(a, .metadataReserved)
        case .extents: return "\(a) extent\(a == 1 ? "" : "s")"
        case .events: return "\(a) event\(a == 1 ? "" : "s")"
        }
    }

    static func subject(_ f: Finding) -> String {
        var parts: [String] = []
        if let i = f.inode { parts.append("inode \(i)" + (f.root.map { " (root \($0))" } ?? "")) }
        if let fs = f.filesystem { parts.append("fs \(fs)") }
        var text = parts.joined(separator: ", ")
        if let a = amountText(f) { text += (text.isEmpty ? "" : ": ") + a }
        return text
    }

    /// The last row: what the chain shows was not done.
    static func conclusion(_ f: Finding) -> String {
        let held = amountText(f) ?? "the balance"
        switch f.rule.id {
        case Rule.reservationOutlivedIO.id:
            let result = f.io.flatMap { $0.result == nil ? nil : " (\(resultText($0)))" } ?? ""
            return "release skipped: nothing released before the I/O ended\(result); \(held) still held"
        case Rule.leakAtEvictOutstandingExtents.id, Rule.leakAtEvictMetadata.id, Rule.leakAtEvictOrderedExtent.id,
             Rule.leakAtEvictQgroup.id:
            return "release skipped: evicted with \(held) never released"
        case Rule.heldAtUnmount.id:
            return "unmounted with bytes_may_use \(held) above zero"
        default:
            return "\(f.rule.name): \(held)"
        }
    }
}

/// The head length `EventChain` keeps before it elides (the story places its elision there).
enum EventChainLayout {
    static let head = EventChain.head
}
