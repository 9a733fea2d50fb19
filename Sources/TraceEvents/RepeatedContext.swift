/// The context columns (`comm-pid [cpu] `) of the last event line `LineTokenizer.commonEvent`
/// read, and what it found in them.
///
/// About nine event lines in ten of a real trace repeat the previous one's columns byte for byte
/// (a task logs several events in a row on one CPU): comm, pid and CPU are then known from the
/// line before, after a compare of the columns' words. Every check `commonEvent` makes of those
/// columns reads only their bytes (up to the blank after `]`), so a line with the same bytes
/// passes them with the same results. One per reader (not shared between threads).
///
/// The bytes after the columns through the dot of the timestamp (the flags column, its blanks
/// and the seconds: `...1.   241.`) are kept too, with the seconds they gave, for the last two
/// such strings: a task's run of lines repeats them as well, but for the preemption depth in the
/// flags, which alternates with the event (`btrfs_space_reservation` under a spin lock prints
/// `...1.`); with a match (`secondsMatch`) only the decimals are read.
public final class RepeatedContext {
    /// The longest columns kept: six words.
    static let capacity = 48
    /// The longest flags column and seconds (through the dot) kept: two words.
    static let secondsCapacity = 16

    private let words = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity / 8)
    /// The columns' length (through the blank after `]`), 0 when none are kept.
    private(set) var length = 0
    /// A header with only what the columns gave: comm, pid, CPU, instance, and the mark.
    private var columns = EventHeader()
    /// The flags and seconds strings after the columns (the most recent first): their length
    /// (0: none), their two words (zero past the length) and the seconds they gave.
    private var secondsLengths: (Int, Int) = (0, 0)
    private var secondsWords: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var secondsValues: (UInt64, UInt64) = (0, 0)

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
            if (Bytes.word(p, i) ^ words[i &>> 3]) & mask != 0 { return false }
        }
        return true
    }

    /// After `matches(p)`: where the decimals of `p`'s timestamp start and the seconds before
    /// them, when `p` repeats one of the kept flags-and-seconds strings right after the columns;
    /// nil otherwise.
    @inline(__always)
    func secondsMatch(_ p: UnsafeRawBufferPointer) -> (decimals: Int, seconds: UInt64)? {
        let at = length
        guard at &+ Self.secondsCapacity <= p.count else { return nil }
        let w0 = Bytes.word(p, at)
        let w1 = Bytes.word(p, at &+ 8)
        if let n = Self.match(w0, w1, secondsLengths.0, secondsWords.0, secondsWords.1) { return (at &+ n, secondsValues.0) }
        if let n = Self.match(w0, w1, secondsLengths.1, secondsWords.2, secondsWords.3) { return (at &+ n, secondsValues.1) }
        return nil
    }

    /// `n` when the 16 bytes `w0`, `w1` start with the `n` bytes kept as `k0`, `k1`.
    @inline(__always)
    static func match(_ w0: UInt64, _ w1: UInt64, _ n: Int, _ k0: UInt64, _ k1: UInt64) -> Int? {
        guard n > 0 else { return nil }
        if n <= 8 {
            let mask: UInt64 = n == 8 ? ~0 : (1 << UInt64(n &* 8)) &- 1
            return w0 & mask == k0 ? n : nil
        }
        let mask: UInt64 = n == 16 ? ~0 : (1 << UInt64((n &- 8) &* 8)) &- 1
        return w0 == k0 && w1 & mask == k1 ? n : nil
    }

    /// Keeps `p[length..<end]` (the kept columns being `p`'s) as a flags column and seconds
    /// through the dot that gave `seconds`, replacing the older of the two kept (none kept when
    /// they are longer than `secondsCapacity`).
    @inline(__always)
    func keepSeconds(_ p: UnsafeRawBufferPointer, through end: Int, _ seconds: UInt64) {
        let n = end &- length
        guard length > 0, n > 0, n <= Self.secondsCapacity, length &+ Self.secondsCapacity <= p.count else { return }
        var w0 = Bytes.word(p, length)
        var w1 = Bytes.word(p, length &+ 8)
        if n <= 8 {
            w0 = n == 8 ? w0 : w0 & ((1 << UInt64(n &* 8)) &- 1)
            w1 = 0
        } else if n < 16 {
            w1 &= (1 << UInt64((n &- 8) &* 8)) &- 1
        }
        secondsLengths = (n, secondsLengths.0)
        secondsWords = (w0, w1, secondsWords.0, secondsWords.1)
        secondsValues = (seconds, secondsValues.0)
    }

    /// Keeps the first `n` bytes of `p` as the columns whose reading gave `h`'s comm, pid, CPU
    /// and instance (none kept when they are too long, or `p` too short to compare words in).
    @inline(__always)
    func keep(_ p: UnsafeRawBufferPointer, length n: Int, _ h: EventHeader) {
        secondsLengths = (0, 0)
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
