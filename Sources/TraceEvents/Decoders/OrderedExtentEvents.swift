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
    static func orderedExtent(_ step: OrderedExtentEvent.Step, fields f: PayloadFields) -> AccountingEvent? {
        guard let root = f.unsigned("root") ?? f.unsigned("root_objectid"), let ino = f.unsigned("ino"), let fileOffset = f.unsigned("file_offset"),
              let start = f.unsigned("start"), let len = f.unsigned("len") else { return nil }
        var truncated: UInt64? = nil
        let modern = f.has("truncated_len")
        if let t = f.unsigned("truncated_len"), t != UInt64.max { truncated = t }
        let flags = f.range("flags").map { decodeFlags(f.buffer, $0.0, $0.1, modern: modern) } ?? []
        return .orderedExtent(OrderedExtentEvent(
            step: step, root: root, inode: ino, fileOffset: fileOffset, diskStart: start, length: len,
            diskLength: f.unsigned("disk_len") ?? len, truncatedLength: truncated, bytesLeft: f.unsigned("bytes_left") ?? 0,
            flags: flags, refs: f.signed("refs") ?? 0))
    }

    static func decodeFlags(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int, modern: Bool) -> OrderedExtentFlags {
        var result: OrderedExtentFlags = []
        var i = s
        while i < e {
            var j = i
            while j < e && p[j] != 0x7C { j += 1 }
            if let r = Bytes.parseNumber(p, i, j), r.next == j {
                result.formUnion(OrderedExtentFlags.fromKernelBits(r.magnitude, modern: modern).0)
            } else {
                for (name, flag) in OrderedExtentFlags.names where j - i == name.utf8.count {
                    var equal = true
                    var k = 0
                    for c in name.utf8 { if p[i + k] != c { equal = false; break }; k += 1 }
                    if equal { result.insert(flag); break }
                }
            }
            i = j + 1
        }
        return result
    }

    /// `btrfs_finish_ordered_extent` (6.5+): `"root=%llu(%s) ino=%llu start=%llu len=%llu uptodate=%d"`.
    static func finished(fields f: PayloadFields) -> AccountingEvent? {
        guard let root = f.unsigned("root") ?? f.unsigned("root_objectid"), let ino = f.unsigned("ino"), let start = f.unsigned("start"),
              let len = f.unsigned("len") else { return nil }
        return .orderedRangeFinished(OrderedRangeFinished(root: root, inode: ino, fileOffset: start, length: len,
                                                          uptodate: (f.unsigned("uptodate") ?? 1) != 0))
    }

    /// `btrfs_inode_mod_outstanding_extents` (4.15+): `"root=%llu(%s) ino=%llu mod=%d"`, 6.12+ adds
    /// `outstanding=%u`.
    static func outstanding(fields f: PayloadFields) -> AccountingEvent? {
        guard let root = f.unsigned("root") ?? f.unsigned("root_objectid"), let ino = f.unsigned("ino"), let mod = f.signed("mod") else { return nil }
        let normalized = mod > Int64(Int32.max) ? Int64(Int32(truncatingIfNeeded: mod)) : mod
        return .outstandingExtents(OutstandingExtentsChange(root: root, inode: ino, mod: normalized, outstanding: f.unsigned("outstanding")))
    }
}
