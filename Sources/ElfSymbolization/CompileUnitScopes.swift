internal import CElfUtils
import Glibc

/// The scope tree of one compile unit (subprograms, inlined subroutines, lexical blocks with their
/// PC ranges), flattened once into address segments that each name their innermost scope.
///
/// `dwarf_getscopes` walks the CU from its root for every address; for kernel-sized CUs that
/// dominates. This index answers the same question — the innermost scope and its physical
/// ancestors, which is what `eu-addr2line -i` derives with `dwarf_getscopes_die` — by binary search.
struct CompileUnitScopes {
    struct Scope {
        var tag: Int32
        var parent: Int
        var dieOffset: Dwarf_Off
        var callFile: Int?
        var callLine: Int
        var callColumn: Int
    }

    private(set) var scopes: [Scope] = []
    private var segmentStarts: [Dwarf_Addr] = []
    /// Innermost scope per segment, -1 for none.
    private var segmentScopes: [Int] = []
    private var ranges: [(start: Dwarf_Addr, end: Dwarf_Addr, scope: Int, depth: Int)] = []

    private static let scopeTags: Set<Int32> = [
        Int32(DW_TAG_subprogram), Int32(DW_TAG_inlined_subroutine), Int32(DW_TAG_lexical_block),
        Int32(DW_TAG_entry_point), Int32(DW_TAG_catch_block), Int32(DW_TAG_try_block), Int32(DW_TAG_with_stmt),
    ]

    init(cuDie: UnsafeMutablePointer<Dwarf_Die>) {
        var child = Dwarf_Die()
        if dwarf_child(cuDie, &child) == 0 { visitSiblings(from: child, parent: -1, depth: 0) }
        buildSegments()
        ranges = []
    }

    /// Innermost scope containing `address` (DWARF address, i.e. without the module bias).
    func innermost(at address: Dwarf_Addr) -> Int? {
        var low = 0
        var high = segmentStarts.count
        while low < high {
            let middle = (low + high) / 2
            if segmentStarts[middle] <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let scope = segmentScopes[low - 1]
        return scope >= 0 ? scope : nil
    }

    private mutating func visitSiblings(from first: Dwarf_Die, parent: Int, depth: Int) {
        var die = first
        while true {
            visit(&die, parent: parent, depth: depth)
            var next = Dwarf_Die()
            guard dwarf_siblingof(&die, &next) == 0 else { return }
            die = next
        }
    }

    private mutating func visit(_ die: inout Dwarf_Die, parent: Int, depth: Int) {
        let tag = dwarf_tag(&die)
        var current = parent
        var childDepth = depth
        if Self.scopeTags.contains(tag) {
            let index = scopes.count
            var added = false
            var base: Dwarf_Addr = 0
            var start: Dwarf_Addr = 0
            var end: Dwarf_Addr = 0
            var offset = dwarf_ranges(&die, 0, &base, &start, &end)
            while offset > 0 {
                if end > start { ranges.append((start, end, index, depth)); added = true }
                offset = dwarf_ranges(&die, offset, &base, &start, &end)
            }
            if added {
                scopes.append(Self.scope(&die, tag: tag, parent: parent))
                current = index
                childDepth = depth + 1
            }
        }
        guard dwarf_haschildren(&die) != 0 else { return }
        var child = Dwarf_Die()
        if dwarf_child(&die, &child) == 0 { visitSiblings(from: child, parent: current, depth: childDepth) }
    }

    private static func scope(_ die: inout Dwarf_Die, tag: Int32, parent: Int) -> Scope {
        var scope = Scope(tag: tag, parent: parent, dieOffset: dwarf_dieoffset(&die), callFile: nil, callLine: 0, callColumn: 0)
        guard tag == Int32(DW_TAG_inlined_subroutine) else { return scope }
        var attribute = Dwarf_Attribute()
        var value: Dwarf_Word = 0
        if dwarf_formudata(dwarf_attr(&die, UInt32(DW_AT_call_file), &attribute), &value) == 0 { scope.callFile = Int(value) }
        if dwarf_formudata(dwarf_attr(&die, UInt32(DW_AT_call_line), &attribute), &value) == 0 { scope.callLine = Int(value) }
        if dwarf_formudata(dwarf_attr(&die, UInt32(DW_AT_call_column), &attribute), &value) == 0 { scope.callColumn = Int(value) }
        return scope
    }

    /// Sweeps range boundaries; in each elementary segment the deepest active scope wins.
    private mutating func buildSegments() {
        var events: [(address: Dwarf_Addr, isStart: Bool, range: Int)] = []
        events.reserveCapacity(ranges.count * 2)
        for (index, range) in ranges.enumerated() {
            events.append((range.start, true, index))
            events.append((range.end, false, index))
        }
        events.sort { $0.address < $1.address || ($0.address == $1.address && !$0.isStart && $1.isStart) }
        var activeCount: [Int: Int] = [:]
        var activeByDepth: [Int: [Int: Int]] = [:]
        var position = 0
        while position < events.count {
            let address = events[position].address
            while position < events.count && events[position].address == address {
                let range = ranges[events[position].range]
                activeByDepth[range.depth, default: [:]][range.scope, default: 0] += events[position].isStart ? 1 : -1
                if activeByDepth[range.depth]?[range.scope] == 0 { activeByDepth[range.depth]?[range.scope] = nil }
                activeCount[range.depth] = activeByDepth[range.depth]?.count ?? 0
                position += 1
            }
            let deepest = activeCount.filter { $0.value > 0 }.keys.max()
            let scope = deepest.flatMap { activeByDepth[$0]?.keys.max() } ?? -1
            if segmentScopes.last != scope {
                segmentStarts.append(address)
                segmentScopes.append(scope)
            }
        }
    }
}
