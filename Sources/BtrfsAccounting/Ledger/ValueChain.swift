import TraceEvents

/// A running value the kernel prints with every change of it: `update_bytes_may_use` prints
/// `old=` (the space_info's bytes_may_use before the change) per (filesystem, space type), and
/// `qgroup_update_reserve` prints `cur_reserved=` (the qgroup's reservation of that type before
/// it). Each printed value must be the previous one plus the previous change: a break means an
/// event is missing from the trace or one too many is in it.
///
/// Per-CPU ring buffers are merged by timestamp, and events of different CPUs within the same
/// printed instant can come out permuted (measured on 6.1 captures: 3 to 21 per capture, each
/// resolved by reordering that instant); `perf script` merges with larger skew. An event that does
/// not chain is held back with the next few until an order of them chains.
struct ValueChain: Sendable {
    struct Step: Sendable {
        var before: UInt64
        var diff: Int64
        var ref: EventRef
        var after: UInt64 { diff >= 0 ? before &+ UInt64(diff) : (before >= diff.magnitude ? before - diff.magnitude : 0) }
    }
    /// The value after the last checked event (nil before the first).
    var expected: UInt64?
    var last: EventRef?
    var buffered: [Step] = []
    /// Data-loss markers seen when the last event was checked.
    var lossMarkers = 0
    /// A value back at 0 with no event is a new counter, not a gap: qgroups are freed and created
    /// again by quota disable/enable with no reserve event (xfstests btrfs/262 on 6.18).
    var resetsAtZero = false

    /// A break: `step` printed a value the events before it do not lead to.
    struct Break: Sendable {
        var expected: UInt64
        var step: Step
        var previous: EventRef?
    }

    /// Adds one event; returns the breaks it proves.
    mutating func add(_ step: Step, lossMarkers: Int) -> [Break] {
        if lossMarkers != self.lossMarkers {
            // Events were lost since: resynchronise on what the kernel prints next.
            buffered.removeAll(keepingCapacity: true)
            expected = nil
            self.lossMarkers = lossMarkers
        }
        // The common case: the next value, nothing held back.
        if buffered.isEmpty, let e = expected, step.before == e {
            expected = step.after
            last = step.ref
            return []
        }
        buffered.append(step)
        guard let start = expected else {
            expected = step.after
            last = step.ref
            buffered.removeAll(keepingCapacity: true)
            return []
        }
        if let order = Self.chainOrder(buffered, from: start) {
            expected = order.last?.after
            last = order.last?.ref
            buffered.removeAll(keepingCapacity: true)
            return []
        }
        // Not (yet) chained: the missing link may still come from another CPU's buffer.
        let first = buffered[0].ref.timestamp, now = step.ref.timestamp
        let spread = first.flatMap { f in now.map { $0 >= f ? $0 - f : f - $0 } } ?? UInt64.max
        if buffered.count < Self.maxPending && spread <= Self.reorderWindow { return [] }
        return flush()
    }

    /// Most events held back waiting for a missing link, and the longest time they may span:
    /// events of different CPUs arrive permuted within the same microsecond in ftrace text (6.1,
    /// measured), and up to a few hundred microseconds apart in `perf script` under qemu (perf
    /// clock skew between vCPUs, measured 345 µs on the 6.1 lab's dio-splice capture).
    static let maxPending = 8
    static let reorderWindow: UInt64 = 2_000_000

    /// Reports what the held-back events cannot explain (the first one that no order places), and
    /// resynchronises on the kernel's values.
    mutating func flush() -> [Break] {
        defer { buffered.removeAll(keepingCapacity: true) }
        guard !buffered.isEmpty, let start = expected else { return [] }
        if let order = Self.chainOrder(buffered, from: start) {
            expected = order.last?.after
            last = order.last?.ref
            return []
        }
        var breaks: [Break] = []
        var remaining = buffered
        var running = start
        while !remaining.isEmpty {
            if let i = remaining.firstIndex(where: { $0.before == running }) {
                running = remaining[i].after
                last = remaining[i].ref
                remaining.remove(at: i)
            } else {
                let s = remaining.removeFirst()
                if !(resetsAtZero && s.before == 0) { breaks.append(Break(expected: running, step: s, previous: last)) }
                running = s.after
                last = s.ref
            }
        }
        expected = running
        return breaks
    }

    /// An order of `steps` in which each value is the previous one's result (depth-first; at most
    /// `maxPending` steps).
    static func chainOrder(_ steps: [Step], from start: UInt64?) -> [Step]? {
        var used = [Bool](repeating: false, count: steps.count)
        var order: [Step] = []
        func search(_ value: UInt64?) -> Bool {
            if order.count == steps.count { return true }
            for i in steps.indices where !used[i] && (value == nil || steps[i].before == value) {
                used[i] = true
                order.append(steps[i])
                if search(steps[i].after) { return true }
                order.removeLast()
                used[i] = false
            }
            return false
        }
        return search(start) ? order : nil
    }
}

/// The running values checked, one chain each.
enum ValueChainKey: Hashable, Sendable {
    case bytesMayUse(Ledger.SpaceKey)
    case qgroupReserve(QgroupKey)

    var description: String {
        switch self {
        case .bytesMayUse(let k): "update_bytes_may_use \(k.space.name) old="
        case .qgroupReserve(let k): "qgroup_update_reserve qgid=\(k.qgroup) \(k.type) cur_reserved="
        }
    }
}

struct QgroupKey: Hashable, Sendable {
    var filesystem: FilesystemID?
    var qgroup: UInt64
    var type: InternedString
}

extension Ledger {
    mutating func checkChain(_ key: SpaceKey, old: UInt64?, diff: Int64, _ ref: EventRef) {
        guard let old else { return }
        checkChain(.bytesMayUse(key), filesystem: key.filesystem, before: old, diff: diff, ref)
    }

    mutating func checkChain(_ key: QgroupKey, current: UInt64, diff: Int64, _ ref: EventRef) {
        checkChain(.qgroupReserve(key), filesystem: key.filesystem, before: current, diff: diff, ref)
    }

    mutating func checkChain(_ key: ValueChainKey, filesystem: FilesystemID?, before: UInt64, diff: Int64, _ ref: EventRef) {
        let step = ValueChain.Step(before: before, diff: diff, ref: ref)
        let markers = lossRefs.count
        if case .qgroupReserve = key { valueChains[key, default: ValueChain()].resetsAtZero = true }
        // In place (one lookup; removing the chain and inserting it again hashed the key twice more).
        let breaks = valueChains[key, default: ValueChain()].add(step, lossMarkers: markers)
        for b in breaks { emit(.valueChainBroke(key, filesystem, b)) }
    }

    /// Checks the instants still buffered (end of trace).
    mutating func flushValueChains() {
        // In the order of their descriptions, each described once (by reflection: one per key,
        // not one per comparison).
        for (_, key) in valueChains.keys.map({ ("\($0)", $0) }).sorted(by: { $0.0 < $1.0 }) {
            guard var chain = valueChains[key] else { continue }
            let breaks = chain.flush()
            valueChains[key] = chain
            let fs: FilesystemID? = switch key {
            case .bytesMayUse(let k): k.filesystem
            case .qgroupReserve(let k): k.filesystem
            }
            for b in breaks { emit(.valueChainBroke(key, fs, b)) }
        }
    }
}
