/// The context columns (`comm-pid [cpu] `) of the last event line `LineTokenizer.commonEvent`
/// read, and what it found in them.
///
/// About nine event lines in ten of a real trace repeat the previous one's columns byte for byte
/// (a task logs several events in a row on one CPU): comm, pid and CPU are then known from the
/// line before, after a compare of the columns' words. Every check `commonEvent` makes of those
/// columns reads only their bytes (up to the blank after `]`), so a line with the same bytes
/// passes them with the same results. One per reader (not shared between threads).
public final class RepeatedContext {
    /// The longest columns kept: six words.
    static let capacity = 48

    private let words = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity / 8)
    /// The columns' length (through the blank after `]`), 0 when none are kept.
    private(set) var length = 0
    /// A header with only what the columns gave: comm, pid, CPU, instance, and the mark.
    private var columns = EventHeader()

    public init() {
        words.initialize(repeating: 0, count: Self.capacity / 8)
    }

    deinit { words.deallocate() }

    /// True when `p` starts with the columns kept (`p` holding at least `capacity` bytes: the
    /// words are loaded inside it).
    @inline(__always)
    func matches(_ p: UnsafeRawBufferPointer) -> Bool {
        let n = length
        guard n > 0, p.count >= Self.capacity else { return false }
        var i = 0
        while i &+ 8 <= n {
            if Bytes.word(p, i) != words[i &>> 3] { return false }
            i &+= 8
        }
        if i < n {
            let mask: UInt64 = (1 << UInt64((n &- i) &* 8)) &- 1
            if Bytes.word(p, i) & mask != words[i &>> 3] { return false }
        }
        return true
    }

    /// Keeps the first `n` bytes of `p` as the columns whose reading gave `h`'s comm, pid, CPU
    /// and instance (none kept when they are too long, or `p` too short to compare words in).
    @inline(__always)
    func keep(_ p: UnsafeRawBufferPointer, length n: Int, _ h: EventHeader) {
        guard n <= Self.capacity, p.count >= Self.capacity else {
            length = 0
            return
        }
        var i = 0
        while i < n {
            let w = Bytes.word(p, i)
            words[i &>> 3] = n &- i >= 8 ? w : w & ((1 << UInt64((n &- i) &* 8)) &- 1)
            i &+= 8
        }
        length = n
        columns = EventHeader()
        columns.cpu = h.cpu
        columns.pid = h.pid
        columns.commStart = h.commStart
        columns.commEnd = h.commEnd
        columns.instanceStart = h.instanceStart
        columns.instanceEnd = h.instanceEnd
        columns.contextRepeated = true
    }

    /// A header with the kept columns' comm, pid, CPU and instance, marked as repeated.
    @inline(__always)
    func header() -> EventHeader { columns }
}
