/// iomap's `key value` payload read word by word in the order its `TP_printk` prints the keys,
/// instead of tokenizing every word and looking each key up by name.
///
/// The words are those `PayloadFields.loadWords` finds (the same `skipSpaces` / `skipToSpace`
/// steps). A reading that meets another key than the format's next one gives up (nil), and the
/// payload is tokenized as before; when it succeeds, each value word it returns is the one the
/// lookup by name finds (the first field of that key), so the decoders interpret the same bytes
/// either way. `IomapWordsTests` compares both on every iomap payload of the bundled traces.
struct IomapWords {
    let p: UnsafeRawBufferPointer
    let end: Int
    var i: Int

    init(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        self.p = p
        self.end = end
        i = Bytes.skipSpaces(p, start, end)
    }

    /// The next word, or nil at the end.
    @inline(__always)
    mutating func word() -> (Int, Int)? {
        guard i < end else { return nil }
        let s = i
        let e = Bytes.skipToSpace(p, i, end)
        i = Bytes.skipSpaces(p, e, end)
        return (s, e)
    }

    /// The word after `key` when `key` and one space are next (an empty value when a second
    /// blank follows, as `loadWords` reads pairs); nil when another word is next or no word
    /// follows (a key without a value is no field). `key` is compared in one or two words.
    @inline(__always)
    mutating func value(_ key: PayloadLayout.Key) -> (Int, Int)? {
        guard key.matches(p, i, end) else { return nil }
        let vs = i &+ key.length
        guard vs < end else { return nil }
        if Bytes.isSpace(p[vs]) {
            i = Bytes.skipSpaces(p, vs, end)
            return i < end ? (vs, vs) : nil
        }
        let ve = Bytes.skipToSpace(p, vs, end)
        i = Bytes.skipSpaces(p, ve, end)
        return (vs, ve)
    }

    /// `value(key)` when that value starts as a number does (a digit or `-`): in the rendering
    /// where every word is a key (`iomap_iter`), such a word cannot be a key the decoder looks up.
    @inline(__always)
    mutating func numericValue(_ key: PayloadLayout.Key) -> (Int, Int)? {
        guard let v = value(key), Self.isNumeric(p[v.0]) else { return nil }
        return v
    }

    @inline(__always)
    static func isNumeric(_ c: UInt8) -> Bool { Bytes.isDigit(c) || c == 0x2D }

    // MARK: the formats

    /// The keys, each with the one space the kernel prints after it (built where used, from
    /// the literal: the compiler folds them to constants, where a `static let` costs a
    /// `swift_once` call per use).
    static var dev: PayloadLayout.Key { .init("dev ") }
    static var ino: PayloadLayout.Key { .init("ino ") }
    static var size: PayloadLayout.Key { .init("size ") }
    static var offset: PayloadLayout.Key { .init("offset ") }
    static var length: PayloadLayout.Key { .init("length ") }
    static var pos: PayloadLayout.Key { .init("pos ") }
    static var doneBefore: PayloadLayout.Key { .init("done_before ") }
    static var flags: PayloadLayout.Key { .init("flags ") }
    static var dioFlags: PayloadLayout.Key { .init("dio_flags ") }
    static var aio: PayloadLayout.Key { .init("aio ") }
    static var error: PayloadLayout.Key { .init("error ") }
    static var ret: PayloadLayout.Key { .init("ret ") }

    /// `iomap_dio_rw_begin`'s words (pairs): `dev ino size offset length done_before flags dio_flags aio`.
    static func begin(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int)
        -> (dev: (Int, Int), ino: (Int, Int), offset: (Int, Int), length: (Int, Int), flags: (Int, Int), aio: (Int, Int))? {
        var w = IomapWords(p, start, end)
        guard let dev = w.value(Self.dev), let ino = w.value(Self.ino), w.value(Self.size) != nil, let offset = w.value(Self.offset),
              let length = w.value(Self.length), w.value(Self.doneBefore) != nil, let flags = w.value(Self.flags),
              w.value(Self.dioFlags) != nil, let aio = w.value(Self.aio) else { return nil }
        return (dev, ino, offset, length, flags, aio)
    }

    /// `iomap_dio_complete`'s words (pairs): `dev ino size offset flags aio error ret`.
    static func complete(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int)
        -> (dev: (Int, Int), ino: (Int, Int), offset: (Int, Int), error: (Int, Int), ret: (Int, Int))? {
        var w = IomapWords(p, start, end)
        guard let dev = w.value(Self.dev), let ino = w.value(Self.ino), w.value(Self.size) != nil, let offset = w.value(Self.offset),
              w.value(Self.flags) != nil, w.value(Self.aio) != nil, let error = w.value(Self.error),
              let ret = w.value(Self.ret) else { return nil }
        return (dev, ino, offset, error, ret)
    }

    /// `iomap_iter`'s words, every word a key: `dev ino pos length`, then any numeric fields
    /// (6.12 `processed`, 6.18 `status`), then `flags NAMES (0xMASK)`; what follows (`ops`,
    /// `caller`) is not read. `note` is the word after the names, `(end, end)` when there is none.
    static func iteration(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int)
        -> (dev: (Int, Int), ino: (Int, Int), pos: (Int, Int), length: (Int, Int), names: (Int, Int), note: (Int, Int))? {
        var w = IomapWords(p, start, end)
        guard let dev = w.numericValue(Self.dev), let ino = w.numericValue(Self.ino), let pos = w.numericValue(Self.pos),
              let length = w.numericValue(Self.length) else { return nil }
        var extra = 0
        while !Self.flags.matches(p, w.i, end) {
            // Another key the decoder reads (compared with the space after it), or too many
            // fields: not the format read here.
            guard extra < 4, let k = w.word(), k.1 < end, p[k.1] == 0x20, !Self.dev.matches(p, k.0, end),
                  !Self.ino.matches(p, k.0, end), !Self.pos.matches(p, k.0, end), !Self.length.matches(p, k.0, end),
                  let v = w.word(), isNumeric(p[v.0]) else { return nil }
            extra += 1
        }
        // Every word a key: the names are the next word however many blanks come first.
        w.i = Bytes.skipSpaces(p, w.i &+ Self.flags.length, end)
        guard let names = w.word() else { return nil }
        return (dev, ino, pos, length, names, w.word() ?? (end, end))
    }
}

extension PayloadLayout.Key {
    /// A literal key (with the separator after it), at most 16 bytes.
    @inline(__always)
    init(_ literal: StaticString) {
        let n = literal.utf8CodeUnitCount
        precondition(n > 0 && n <= PayloadLayout.maximumKeyLength)
        self.init(length: n)
        let bytes = literal.utf8Start
        for k in 0..<n { set(k, bytes[k]) }
    }
}
