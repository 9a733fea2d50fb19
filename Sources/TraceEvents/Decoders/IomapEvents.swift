/// iomap direct-I/O tracepoints (6.5+). iomap prints `key value` pairs, inode numbers in hex, and
/// names the filesystem by `dev major:minor`, not by fsid.
enum IomapEvents {
    /// True for the `key=value` rendering (trace-cmd -R), false for the kernel's `key value`.
    static func isRaw(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Bool {
        let e = Bytes.skipToSpace(p, i, end)
        var k = i
        while k < e { if p[k] == 0x3D { return true }; k += 1 }
        return false
    }

    static func device(_ p: UnsafeRawBufferPointer, _ r: (Int, Int)) -> UInt64 {
        guard let (major, j) = Bytes.parseDecimal(p, r.0, r.1), j < r.1, p[j] == 0x3A,
              let (minor, _) = Bytes.parseDecimal(p, j + 1, r.1) else { return 0 }
        return (major << 20) | (minor & 0xFFFFF)
    }

    static func number(_ p: UnsafeRawBufferPointer, _ r: (Int, Int)?) -> UInt64? {
        guard let r, let n = Bytes.parseNumber(p, r.0, r.1) else { return nil }
        return n.magnitude
    }

    static func signed(_ p: UnsafeRawBufferPointer, _ r: (Int, Int)?) -> Int64? {
        guard let r, let n = Bytes.parseNumber(p, r.0, r.1) else { return nil }
        if n.negative { return n.magnitude <= UInt64(Int64.max) ? -Int64(n.magnitude) : nil }
        return Int64(bitPattern: n.magnitude)
    }

    /// `iomap_dio_rw_begin`: `"dev %d:%d ino 0x%lx size 0x%llx offset 0x%llx length 0x%zx done_before
    /// 0x%zx flags %s dio_flags %s aio %d"`.
    static func begin(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, fields f: PayloadFields, inOrder: Bool = true) -> AccountingEvent? {
        if inOrder, let w = IomapWords.begin(p, i, end) {
            return begin(p, dev: w.dev, ino: w.ino, offset: w.offset, length: w.length, flags: w.flags, aio: w.aio)
        }
        if isRaw(p, i, end) {
            f.load(p, i, end)
            return begin(fields: f)
        }
        // `key value` pairs; the first of a repeated key counts.
        f.loadWords(p, i, end, pairs: true)
        return begin(p, dev: f.range("dev"), ino: f.range("ino"), offset: f.range("offset"), length: f.range("length"),
                     flags: f.range("flags"), aio: f.range("aio"))
    }

    /// `iomap_dio_rw_begin` from the value words of its `key value` rendering.
    private static func begin(_ p: UnsafeRawBufferPointer, dev: (Int, Int)?, ino: (Int, Int)?, offset: (Int, Int)?,
                              length: (Int, Int)?, flags: (Int, Int)?, aio: (Int, Int)?) -> AccountingEvent? {
        guard let dev, let ino = number(p, ino), let offset = number(p, offset), let length = number(p, length) else { return nil }
        // kernel: names (DIRECT|WRITE); libtraceevent: may print a number, IOCB_WRITE is 1 << 17 on 6.x (unverified) -> names only
        let isWrite = flags.map { Bytes.contains(p, $0.0, $0.1, "WRITE") } ?? false
        return .directIOBegin(DirectIOBegin(device: device(p, dev), inode: ino, offset: offset, length: length,
                                            isWrite: isWrite, isAsync: (number(p, aio) ?? 0) != 0))
    }

    /// `iomap_dio_complete`: `"dev %d:%d ino 0x%lx size 0x%llx offset 0x%llx flags %s aio %d error %d ret %zd"`;
    /// `iomap_dio_rw_queued` (range class): `"dev %d:%d ino 0x%lx size 0x%llx offset 0x%llx length 0x%llx"`.
    static func end(queued: Bool, _ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, fields f: PayloadFields,
                    inOrder: Bool = true) -> AccountingEvent? {
        if inOrder, !queued, let w = IomapWords.complete(p, i, end) {
            return directIOEnd(queued: queued, p, dev: w.dev, ino: w.ino, offset: w.offset, error: w.error, ret: w.ret)
        }
        if isRaw(p, i, end) {
            f.load(p, i, end)
            return IomapEvents.end(queued: queued, fields: f)
        }
        f.loadWords(p, i, end, pairs: true)
        return directIOEnd(queued: queued, p, dev: f.range("dev"), ino: f.range("ino"), offset: f.range("offset"),
                           error: f.range("error"), ret: f.range("ret"))
    }

    /// `iomap_dio_complete` / `iomap_dio_rw_queued` from the value words of their `key value` rendering.
    private static func directIOEnd(queued: Bool, _ p: UnsafeRawBufferPointer, dev: (Int, Int)?, ino: (Int, Int)?,
                                    offset: (Int, Int)?, error: (Int, Int)?, ret: (Int, Int)?) -> AccountingEvent? {
        guard let dev, let ino = number(p, ino), let offset = number(p, offset) else { return nil }
        return .directIOEnd(DirectIOEnd(device: device(p, dev), inode: ino, offset: offset, error: signed(p, error) ?? 0,
                                        result: signed(p, ret) ?? 0, isQueued: queued))
    }

    /// `iomap_iter`: `"dev %d:%d ino 0x%llx pos 0x%llx length 0x%llx [processed %lld | status %d]
    /// flags %s (0x%x) ops %ps caller %pS"` (6.1: no processed/status; 6.12: processed; 6.18:
    /// status). The number in parentheses is the `IOMAP_*` mask; without it the names are read.
    static func iteration(_ p: UnsafeRawBufferPointer, _ i: Int, _ end: Int, fields f: PayloadFields, inOrder: Bool = true) -> AccountingEvent? {
        if inOrder, let w = IomapWords.iteration(p, i, end) {
            return iteration(p, end, dev: w.dev, ino: w.ino, pos: w.pos, length: w.length, names: w.names, note: w.note)
        }
        if isRaw(p, i, end) {
            f.load(p, i, end)
            return iteration(fields: f)
        }
        // Every word is a key whose value is the next word: `flags NAMES (0xMASK)` carries a note,
        // the value of the next field (whose key the names are), when printed.
        f.loadWords(p, i, end, pairs: false)
        let names = f.index("flags")
        let note = names.map { $0 + 1 < f.count ? f.valueRange($0 + 1) : (end, end) }
        return iteration(p, end, dev: f.range("dev"), ino: f.range("ino"), pos: f.range("pos"), length: f.range("length"),
                         names: names.map { f.valueRange($0) }, note: note)
    }

    /// `iomap_iter` from the value words of its rendering: the mask from the `(0xMASK)` note
    /// after the flag names, else the names read.
    private static func iteration(_ p: UnsafeRawBufferPointer, _ end: Int, dev: (Int, Int)?, ino: (Int, Int)?, pos: (Int, Int)?,
                                  length: (Int, Int)?, names: (Int, Int)?, note: (Int, Int)?) -> AccountingEvent? {
        guard let dev, let ino = number(p, ino), let pos = number(p, pos) else { return nil }
        var flags: UInt64 = 0
        if let names, let open = note {
            let digits = Bytes.matches(p, open.0 + 1, open.1, "0x") ? open.0 + 3 : open.0 + 1
            if open.0 < end, p[open.0] == 0x28, let (mask, _) = Bytes.parseHex(p, digits, open.1) {
                flags = mask
            } else {
                if Bytes.contains(p, names.0, names.1, "WRITE") { flags |= IomapIteration.writeFlag }
                if Bytes.contains(p, names.0, names.1, "DIRECT") { flags |= IomapIteration.directFlag }
            }
        }
        return .iomapIteration(IomapIteration(device: device(p, dev), inode: ino, position: pos,
                                              length: number(p, length) ?? 0, flags: flags))
    }

    // MARK: - by field name (trace-cmd -R text, trace.dat, trace_pipe_raw)

    /// `iomap_dio_rw_begin` fields (6.5+): `dev`, `ino`, `isize`, `pos`, `count`, `done_before`,
    /// `ki_flags`, `dio_flags`, `aio`. The IOCB_WRITE bit is taken from the format's flag table
    /// when there is one (it moved between versions), 1 << 18 in `-R` text.
    enum BeginKey {
        static var device: FieldKey { FieldKey(0, "dev") }
        static var inode: FieldKey { FieldKey(1, "ino") }
        static var position: FieldKey { FieldKey(2, "pos") }
        static var count: FieldKey { FieldKey(3, "count") }
        static var isWrite: FieldKey { FieldKey(4, "ki_flags", flag: "WRITE", fallbackMask: 1 << 18) }
        static var aio: FieldKey { FieldKey(5, "aio") }
        static let all = [device, inode, position, count, isWrite, aio]
    }

    static func begin(fields f: some EventFields) -> AccountingEvent? {
        typealias K = BeginKey
        guard let dev = f.unsigned(K.device), let ino = f.unsigned(K.inode), let pos = f.unsigned(K.position),
              let count = f.unsigned(K.count) else { return nil }
        return .directIOBegin(DirectIOBegin(device: dev, inode: ino, offset: pos, length: count,
                                            isWrite: f.flag(K.isWrite) ?? false, isAsync: (f.signed(K.aio) ?? 0) != 0))
    }

    /// `iomap_dio_complete` (`dev`, `ino`, `isize`, `pos`, `ki_flags`, `aio`, `error`, `ret`) and
    /// the range class of `iomap_dio_rw_queued` (`dev`, `ino`, `size`, `offset`, `length`).
    enum EndKey {
        static var device: FieldKey { FieldKey(0, "dev") }
        static var inode: FieldKey { FieldKey(1, "ino") }
        static var position: FieldKey { FieldKey(2, "pos", "offset") }
        static var error: FieldKey { FieldKey(3, "error") }
        static var result: FieldKey { FieldKey(4, "ret") }
        static let all = [device, inode, position, error, result]
    }

    static func end(queued: Bool, fields f: some EventFields) -> AccountingEvent? {
        typealias K = EndKey
        guard let dev = f.unsigned(K.device), let ino = f.unsigned(K.inode), let pos = f.unsigned(K.position) else { return nil }
        return .directIOEnd(DirectIOEnd(device: dev, inode: ino, offset: pos, error: f.signed(K.error) ?? 0,
                                        result: f.signed(K.result) ?? 0, isQueued: queued))
    }

    /// `iomap_iter` fields: `dev`, `ino`, `pos`, `length`, (`processed` 6.12 | `status` 6.18),
    /// `flags` (the `IOMAP_*` mask), `ops`, `caller`.
    enum IterationKey {
        static var device: FieldKey { FieldKey(0, "dev") }
        static var inode: FieldKey { FieldKey(1, "ino") }
        static var position: FieldKey { FieldKey(2, "pos") }
        static var length: FieldKey { FieldKey(3, "length") }
        static var flags: FieldKey { FieldKey(4, "flags") }
        static let all = [device, inode, position, length, flags]
    }

    static func iteration(fields f: some EventFields) -> AccountingEvent? {
        typealias K = IterationKey
        guard let dev = f.unsigned(K.device), let ino = f.unsigned(K.inode), let pos = f.unsigned(K.position) else { return nil }
        return .iomapIteration(IomapIteration(device: dev, inode: ino, position: pos, length: f.unsigned(K.length) ?? 0,
                                              flags: f.unsigned(K.flags) ?? 0))
    }
}
