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
        var firstRange: Int
        var rangeCount: Int
        var firstChild = -1
        var nextSibling = -1
    }

    private(set) var scopes: [Scope] = []
    private var segmentStarts: [Dwarf_Addr] = []
    /// Innermost scope per segment, -1 for none.
    private var segmentScopes: [Int] = []
    private var ranges: [(start: Dwarf_Addr, end: Dwarf_Addr, scope: Int, depth: Int)] = []
    private var firstRoot = -1
    private var lastChild: [Int: Int] = [:]

    private static let scopeTags: Set<Int32> = [
        Int32(DW_TAG_subprogram), Int32(DW_TAG_inlined_subroutine), Int32(DW_TAG_lexical_block),
        Int32(DW_TAG_entry_point), Int32(DW_TAG_catch_block), Int32(DW_TAG_try_block), Int32(DW_TAG_with_stmt),
    ]

    init(cuDie: UnsafeMutablePointer<Dwarf_Die>) {
        var child = Dwarf_Die()
        if dwarf_child(cuDie, &child) == 0 { visitSiblings(from: child, parent: -1, depth: 0) }
        buildSegments()
        lastChild = [:]
    }

    /// Innermost scope containing `address` (DWARF address, i.e. without the module bias), found the
    /// way `dwarf_getscopes` does: descend into the first child whose ranges contain the address.
    /// The segment table answers directly when the DWARF nests properly; otherwise (a child's
    /// range outside its parent's) the tree is descended.
    func innermost(at address: Dwarf_Addr) -> Int? {
        var low = 0
        var high = segmentStarts.count
        while low < high {
            let middle = (low + high) / 2
            if segmentStarts[middle] <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0, segmentScopes[low - 1] >= 0 else { return nil }
        let candidate = segmentScopes[low - 1]
        var cursor = scopes[candidate].parent
        while cursor >= 0 {
            guard contains(cursor, address) else { return descend(to: address) }
            cursor = scopes[cursor].parent
        }
        return candidate
    }

    private func contains(_ scope: Int, _ address: Dwarf_Addr) -> Bool {
        let first = scopes[scope].firstRange
        for index in first..<(first + scopes[scope].rangeCount) where ranges[index].start <= address && address < ranges[index].end {
            return true
        }
        return false
    }

    private func descend(to address: Dwarf_Addr) -> Int? {
        var found: Int? = nil
        var sibling = firstRoot
        while sibling >= 0 {
            if contains(sibling, address) {
                found = sibling
                sibling = scopes[sibling].firstChild
            } else {
                sibling = scopes[sibling].nextSibling
            }
        }
        return found
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
            let firstRange = ranges.count
            var base: Dwarf_Addr = 0
            var start: Dwarf_Addr = 0
            var end: Dwarf_Addr = 0
            var offset = dwarf_ranges(&die, 0, &base, &start, &end)
            while offset > 0 {
                if end > start { ranges.append((start, end, index, depth)) }
                offset = dwarf_ranges(&die, offset, &base, &start, &end)
            }
            if ranges.count > firstRange {
                scopes.append(Self.scope(&die, tag: tag, parent: parent, ranges: firstRange..<ranges.count))
                link(index, parent: parent)
                current = index
                childDepth = depth + 1
            }
        }
        guard dwarf_haschildren(&die) != 0 else { return }
        var child = Dwarf_Die()
        if dwarf_child(&die, &child) == 0 { visitSiblings(from: child, parent: current, depth: childDepth) }
    }

    private mutating func link(_ index: Int, parent: Int) {
        if let previous = lastChild[parent] {
            scopes[previous].nextSibling = index
        } else if parent >= 0 {
            scopes[parent].firstChild = index
        } else {
            firstRoot = index
        }
        lastChild[parent] = index
    }

    private static func scope(_ die: inout Dwarf_Die, tag: Int32, parent: Int, ranges: Range<Int>) -> Scope {
        var scope = Scope(tag: tag, parent: parent, dieOffset: dwarf_dieoffset(&die), callFile: nil, callLine: 0, callColumn: 0,
                          firstRange: ranges.lowerBound, rangeCount: ranges.count)
        guard tag == Int32(DW_TAG_inlined_subroutine) else { return scope }
        var attribute = Dwarf_Attribute()
        var value: Dwarf_Word = 0
        // Values above Int.max come only from corrupt DWARF: read as absent, not trapped on
        // (found by Fuzz/ target `elf`).
        func unsignedValue(_ name: Int) -> Int? {
            guard dwarf_formudata(dwarf_attr(&die, UInt32(name), &attribute), &value) == 0 else { return nil }
            return Int(exactly: value)
        }
        scope.callFile = unsignedValue(DW_AT_call_file)
        scope.callLine = unsignedValue(DW_AT_call_line) ?? 0
        scope.callColumn = unsignedValue(DW_AT_call_column) ?? 0
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
            let scope = deepest.flatMap { activeByDepth[$0]?.keys.min() } ?? -1
            if segmentScopes.last != scope {
                segmentStarts.append(address)
                segmentScopes.append(scope)
            }
        }
    }
}
