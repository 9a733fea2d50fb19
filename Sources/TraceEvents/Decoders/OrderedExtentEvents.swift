/// The ordered-extent family and `btrfs_inode_mod_outstanding_extents`.
enum OrderedExtentEvents {
    /// Class `btrfs__ordered_extent` (`btrfs_ordered_extent_{add,remove,start,put,lookup*,split,
    /// dec_test_pending,mark_finished}`).
    ///
    /// - 6.x: `"root=%llu(%s) ino=%llu file_offset=%llu start=%llu len=%llu disk_len=%llu
    ///   truncated_len=%llu bytes_left=%llu flags=%s compress_type=%d refs=%d"`.
    /// - ≤4.x: `"root = %llu(%s), ino = %llu, file_offset = %llu, start = %llu, len = %llu,
    ///   disk_len = %llu, bytes_left = %llu, flags = %s, compress_type = %d, refs = %d"`.
    ///
    /// Flags arrive as names from the kernel (`REGULAR|DIRECT`) and as a number from
    /// libtraceevent (`0x12`); numbers use the modern enum order when the format has
    /// `truncated_len` (5.x+), the 4.x order otherwise.
    static func orderedExtent(_ step: OrderedExtentEvent.Step, fields f: some EventFields) -> AccountingEvent? {
        typealias K = OrderedKey
        guard let root = f.unsigned(K.root), let ino = f.unsigned(K.inode), let fileOffset = f.unsigned(K.fileOffset),
              let start = f.unsigned(K.start), let len = f.unsigned(K.length) else { return nil }
        var truncated: UInt64? = nil
        if let t = f.unsigned(K.truncatedLength), t != UInt64.max { truncated = t }
        let flags = f.orderedExtentFlags(K.flags, modernOrder: f.has(K.truncatedLength)) ?? []
        return .orderedExtent(OrderedExtentEvent(
            step: step, root: root, inode: ino, fileOffset: fileOffset, diskStart: start, length: len,
            diskLength: f.unsigned(K.diskLength) ?? len, truncatedLength: truncated, bytesLeft: f.unsigned(K.bytesLeft) ?? 0,
            flags: flags, refs: f.signed(K.refs) ?? 0))
    }

    /// Class `btrfs__ordered_extent` fields: 4.x `root_objectid`, 5.x+ adds `truncated_len`.
    enum OrderedKey {
        static var root: FieldKey { FieldKey(0, "root", "root_objectid") }
        static var inode: FieldKey { FieldKey(1, "ino") }
        static var fileOffset: FieldKey { FieldKey(2, "file_offset") }
        static var start: FieldKey { FieldKey(3, "start") }
        static var length: FieldKey { FieldKey(4, "len") }
        static var diskLength: FieldKey { FieldKey(5, "disk_len") }
        static var truncatedLength: FieldKey { FieldKey(6, "truncated_len") }
        static var bytesLeft: FieldKey { FieldKey(7, "bytes_left") }
        static var flags: FieldKey { FieldKey(8, "flags") }
        static var refs: FieldKey { FieldKey(9, "refs") }
        static let all = [root, inode, fileOffset, start, length, diskLength, truncatedLength, bytesLeft, flags, refs]
    }

    static func decodeFlags(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int, modern: Bool) -> OrderedExtentFlags {
        var result: OrderedExtentFlags = []
        var i = s
        while i < e {
            var j = i
            while j < e && p[j] != 0x7C { j += 1 }
            if j > i, Bytes.isDigit(p[i]) || p[i] == 0x2D || p[i] == 0x2B, let r = Bytes.parseNumber(p, i, j), r.next == j {
                result.formUnion(OrderedExtentFlags.fromKernelBits(r.magnitude, modern: modern).0)
            } else {
                for (name, flag) in OrderedExtentFlags.staticNames where Bytes.equals(p, i, j, name) {
                    result.insert(flag)
                    break
                }
            }
            i = j + 1
        }
        return result
    }

    /// `btrfs_finish_ordered_extent` (6.5+) fields.
    enum FinishedKey {
        static var root: FieldKey { FieldKey(0, "root", "root_objectid") }
        static var inode: FieldKey { FieldKey(1, "ino") }
        static var start: FieldKey { FieldKey(2, "start") }
        static var length: FieldKey { FieldKey(3, "len") }
        static var uptodate: FieldKey { FieldKey(4, "uptodate") }
        static let all = [root, inode, start, length, uptodate]
    }

    /// `btrfs_finish_ordered_extent` (6.5+): `"root=%llu(%s) ino=%llu start=%llu len=%llu uptodate=%d"`.
    static func finished(fields f: some EventFields) -> AccountingEvent? {
        typealias K = FinishedKey
        guard let root = f.unsigned(K.root), let ino = f.unsigned(K.inode), let start = f.unsigned(K.start),
              let len = f.unsigned(K.length) else { return nil }
        return .orderedRangeFinished(OrderedRangeFinished(root: root, inode: ino, fileOffset: start, length: len,
                                                          uptodate: (f.unsigned(K.uptodate) ?? 1) != 0))
    }

    /// `btrfs_inode_mod_outstanding_extents` (4.15+) fields; 6.12 adds `outstanding`.
    enum OutstandingKey {
        static var root: FieldKey { FieldKey(0, "root", "root_objectid") }
        static var inode: FieldKey { FieldKey(1, "ino") }
        static var mod: FieldKey { FieldKey(2, "mod") }
        static var outstanding: FieldKey { FieldKey(3, "outstanding") }
        static let all = [root, inode, mod, outstanding]
    }

    /// `btrfs_inode_mod_outstanding_extents` (4.15+): `"root=%llu(%s) ino=%llu mod=%d"`, 6.12+ adds
    /// `outstanding=%u`.
    static func outstanding(fields f: some EventFields) -> AccountingEvent? {
        typealias K = OutstandingKey
        guard let root = f.unsigned(K.root), let ino = f.unsigned(K.inode), let mod = f.signed(K.mod) else { return nil }
        // Hex printers show an `int` as its 32-bit two's complement.
        let normalized = mod > Int64(Int32.max) ? Int64(Int32(truncatingIfNeeded: mod)) : mod
        return .outstandingExtents(OutstandingExtentsChange(root: root, inode: ino, mod: normalized, outstanding: f.unsigned(K.outstanding)))
    }
}
