/// kprobe / kretprobe events on btrfs direct-I/O functions.
///
/// Kernel text: `(btrfs_dio_write+0x0/0x80 [btrfs]) ino=257 pos=0 count=65536` and
/// `(btrfs_direct_write+0x1b2/0x4c0 [btrfs] <- btrfs_dio_write) ret=0x10000`; libtraceevent prints
/// bare addresses `(ffffffffc0777370 <- ffffffffc07546eb)`. The probed function therefore comes
/// from the event name: `btrfs_dio_write_entry`/`_ret` (lab naming) or `p_btrfs_dio_write_0` /
/// `r_btrfs_dio_write_0` (perf-probe/ftrace default naming).
public enum ProbeEvents {
    /// The btrfs functions that bound the direct part of one write: btrfs_dio_write (5.9+, the
    /// iomap call) and btrfs_direct_IO (4.x, the __blockdev_direct_IO call). Their callers
    /// (btrfs_direct_write, __btrfs_direct_write) are left out on purpose: they also run the
    /// buffered fallback for a short write, whose reservation legitimately outlives the call.
    public static let windowFunctions: Set<String> = ["btrfs_dio_write", "btrfs_direct_IO"]
    /// `windowFunctions` interned, as `ProbeEvent.function` holds them.
    public static let internedWindowFunctions = Set(windowFunctions.map { InternedString($0) })

    /// The probed function and whether the name marks a return probe.
    static func function(fromEventName name: String) -> (function: String, isReturn: Bool) {
        var function = name
        var isReturn = false
        for suffix in ["_entry", "_ret", "_return", "_exit"] where function.hasSuffix(suffix) {
            function.removeLast(suffix.count)
            if suffix != "_entry" { isReturn = true }
            break
        }
        if function.hasPrefix("p_") || function.hasPrefix("r_") {
            if function.hasPrefix("r_") { isReturn = true }
            function.removeFirst(2)
            if let underscore = function.lastIndex(of: "_"), function[function.index(after: underscore)...].allSatisfy(\.isNumber) {
                function = String(function[..<underscore])
            }
        }
        return (function, isReturn)
    }

    /// Fields a probe definition may fetch (the lab's `ino=… pos=… count=…`, `ret=$retval`, or
    /// perf-probe's `arg1`).
    enum Key {
        static var inode: FieldKey { FieldKey(0, "ino") }
        static var position: FieldKey { FieldKey(1, "pos", "start") }
        static var count: FieldKey { FieldKey(2, "count", "length") }
        static var returnValue: FieldKey { FieldKey(3, "ret", "$retval", "arg1") }
        static let all = [inode, position, count, returnValue]
    }

    /// Kernel text: `(sym+off/size [mod]) args` or `(sym <- caller) ret=…`; the arrow also marks
    /// a return probe.
    static func probe(function: InternedString, nameIsReturn: Bool, _ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, fields f: PayloadFields) -> AccountingEvent? {
        guard i < end, p[i] == 0x28 else { return nil }
        var k = i
        while k < end && p[k] != 0x29 { k += 1 }
        guard k < end else { return nil }
        var isReturn = nameIsReturn
        var j = i
        while j + 3 < k { if p[j] == 0x20 && p[j + 1] == 0x3C && p[j + 2] == 0x2D { isReturn = true; break }; j += 1 }
        f.load(p, k + 1, end)
        return probe(function: function, isReturn: isReturn, fields: f)
    }

    static func probe(function: InternedString, isReturn: Bool, fields f: some EventFields) -> AccountingEvent? {
        .probe(ProbeEvent(function: function, isReturn: isReturn, inode: f.unsigned(Key.inode), position: f.unsigned(Key.position),
                          count: f.unsigned(Key.count), returnValue: isReturn ? f.register(Key.returnValue) : nil))
    }
}
