/// The last payload a `PayloadLayout` read, kept so that the next one is read only from where it
/// differs: the fields before the first byte that differs (with the blank after them) are the
/// same bytes, so they tokenize to the same spans, and a number read from one of them is the
/// number read before.
///
/// An ordered extent's events repeat its `root ino file_offset start len disk_len truncated_len`
/// from one step to the next (the 6.18 generic/130 capture: 95 % of the fields of
/// `btrfs_ordered_extent_put` payloads lie before the first difference with the payload of the
/// same class before), an inode's `btrfs_inode_mod_outstanding_extents` its `root ino`.
///
/// Bytes are kept up to `capacity`; a longer payload is not kept. Numbers are kept per field
/// with the generation of the payload they were read from: a payload's kept fields carry their
/// numbers over to the next generation, the others are read again.
final class PreviousPayload {
    static let capacity = 256

    private let bytes = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    /// The kept payload's length, -1 when none is kept.
    private(set) var length = -1
    /// Per field: key start, key end, value start, value end, relative to the payload's start.
    private let spans: UnsafeMutablePointer<Int>
    let fieldCount: Int
    /// The payload loaded last (counting from 1); numbers of generation `generation` are its.
    private(set) var generation = 1
    private let numberGenerations: UnsafeMutablePointer<Int>
    /// Per field: the number read, or nil when it did not parse (`Bytes.parseNumber`).
    private let numberValues: UnsafeMutablePointer<(magnitude: UInt64, negative: Bool)?>

    init(fieldCount: Int) {
        self.fieldCount = fieldCount
        spans = .allocate(capacity: 4 * max(fieldCount, 1))
        spans.initialize(repeating: 0, count: 4 * max(fieldCount, 1))
        numberGenerations = .allocate(capacity: max(fieldCount, 1))
        numberGenerations.initialize(repeating: 0, count: max(fieldCount, 1))
        numberValues = .allocate(capacity: max(fieldCount, 1))
        numberValues.initialize(repeating: nil, count: max(fieldCount, 1))
    }

    deinit {
        bytes.deallocate()
        spans.deallocate()
        numberGenerations.deallocate()
        numberValues.deallocate()
    }

    /// The number of leading fields of the kept payload whose bytes, and the byte after each
    /// (the blank, or the end of both payloads), `p[start..<end]` repeats: all of them when the
    /// payloads are equal.
    @inline(__always)
    func unchangedFields(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int {
        let kept = length
        guard kept >= 0 else { return 0 }
        let n = end &- start
        let m = min(n, kept)
        var same = 0
        while same &+ 8 <= m {
            let x = Bytes.word(p, start &+ same) ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: same, as: UInt64.self))
            if x != 0 {
                same &+= x.trailingZeroBitCount &>> 3
                break
            }
            same &+= 8
        }
        if same &+ 8 > m {
            while same < m && p[start &+ same] == bytes.load(fromByteOffset: same, as: UInt8.self) { same &+= 1 }
        }
        if same == n && n == kept { return fieldCount }
        var f = 0
        while f < fieldCount && spans[4 &* f &+ 3] < same { f &+= 1 }
        return f
    }

    /// The span of field `f` of the kept payload, relative to its start.
    @inline(__always)
    func span(_ f: Int) -> (Int, Int, Int, Int) {
        let s = spans + 4 &* f
        return (s[0], s[1], s[2], s[3])
    }

    /// Keeps `p[start..<end]`, whose fields' spans are `loaded` (absolute, `fieldCount` of them),
    /// the first `unchanged` of them the kept payload's: their numbers carry over.
    @inline(__always)
    func keep(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, loaded: UnsafePointer<Int>, unchanged: Int) {
        let n = end &- start
        generation &+= 1
        var f = 0
        while f < unchanged {
            if numberGenerations[f] == generation &- 1 { numberGenerations[f] = generation }
            f &+= 1
        }
        guard n <= Self.capacity, let base = p.baseAddress else {
            length = -1
            return
        }
        bytes.copyMemory(from: base + start, byteCount: n)
        length = n
        var k = 4 &* unchanged
        while k < 4 &* fieldCount {
            spans[k] = loaded[k] &- start
            k &+= 1
        }
    }

    /// The numbers of the payload loaded last, for `PayloadFields` to read and fill while it
    /// holds that payload's fields.
    var numbers: Numbers { Numbers(generations: numberGenerations, values: numberValues, generation: generation) }

    /// Where the numbers of one generation are kept (the storage of the `PreviousPayload` that
    /// made it, which outlives its use: the layout is held by the decoder reading the fields).
    struct Numbers {
        let generations: UnsafeMutablePointer<Int>
        let values: UnsafeMutablePointer<(magnitude: UInt64, negative: Bool)?>
        let generation: Int

        /// The number field `f` holds: read by `parse` the first time.
        @inline(__always)
        func number(_ f: Int, _ parse: () -> (magnitude: UInt64, negative: Bool)?) -> (magnitude: UInt64, negative: Bool)? {
            if generations[f] == generation { return values[f] }
            let r = parse()
            values[f] = r
            generations[f] = generation
            return r
        }
    }
}
