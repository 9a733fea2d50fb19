/// One field a tracepoint family decoder reads, named once for every input.
///
/// `slot` is the field's position in its family's `keys` list: binary readers resolve that list
/// against an event's `format` once per event type (`RecordLayout`) and read slot `n` by offset;
/// text readers look the names up in the printed `key=value` fields. Names are tried in order:
/// the kernel renamed some fields between versions (`root_objectid` in 4.x, `rootid` in qgroup
/// events, `root` elsewhere).
public struct FieldKey: Sendable {
    public let slot: Int
    public let name: StaticString
    public let alias: StaticString?
    public let secondAlias: StaticString?
    /// For a flag test (`flag(_:)`): the `__print_flags` name of the bit, and the mask used when
    /// the value is printed as a number and no format names the bit (trace-cmd `-R` text).
    public let flagName: StaticString?
    public let flagFallbackMask: UInt64

    public init(_ slot: Int, _ name: StaticString, _ alias: StaticString? = nil, _ secondAlias: StaticString? = nil) {
        self.slot = slot
        self.name = name
        self.alias = alias
        self.secondAlias = secondAlias
        flagName = nil
        flagFallbackMask = 0
    }

    /// A key for one named bit of a `__print_flags` field.
    public init(_ slot: Int, _ name: StaticString, flag: StaticString, fallbackMask: UInt64) {
        self.slot = slot
        self.name = name
        alias = nil
        secondAlias = nil
        flagName = flag
        flagFallbackMask = fallbackMask
    }

    /// The names to try, in order.
    @inline(__always)
    public func forEachName(_ body: (StaticString) -> Bool) {
        if body(name) { return }
        if let alias, body(alias) { return }
        if let secondAlias { _ = body(secondAlias) }
    }
}

/// A `__print_flags` / `__print_symbolic` table: the names the kernel prints for values.
public struct PrintedNames: Sendable {
    public let entries: [(name: StaticString, value: UInt64)]
    public init(_ entries: [(name: StaticString, value: UInt64)]) { self.entries = entries }

    /// The name printed for exactly `value`, if the table has one.
    func name(of value: UInt64) -> StaticString? {
        for e in entries where e.value == value { return e.name }
        return nil
    }
}

/// Field access for the family decoders: the same decoder reads text payloads (`PayloadFields`,
/// fields by `key=`) and binary records (`RecordFields`, fields by offset from the event's
/// format). Accessors return nil when the field is absent or does not parse.
///
/// Where the printed text and the stored value differ, the accessor hides the difference:
/// `printedFlags` (names such as `DATA|METADATA` in text, the number in a record),
/// `orderedExtentFlags` (names vs kernel bits), `function` (`%ps`: a symbol in text, an address
/// named through kallsyms in a record), `bytes` (`%s` text vs `__data_loc char[]`).
public protocol EventFields {
    func has(_ key: FieldKey) -> Bool
    /// The value as an unsigned number; nil when absent or negative.
    func unsigned(_ key: FieldKey) -> UInt64?
    /// The value as a signed number (fields printed as two's complement hex are reinterpreted).
    func signed(_ key: FieldKey) -> Int64?
    /// The bytes of a string field; valid while the payload is.
    func bytes(_ key: FieldKey) -> UnsafeRawBufferPointer?
    /// A `__print_flags` / `__print_symbolic` field as its number: names are looked up in `names`
    /// and OR'ed (text), numbers are taken as they are.
    func printedFlags(_ key: FieldKey, _ names: PrintedNames) -> UInt64?
    /// Whether the bit `key.flagName` is set in a `__print_flags` field.
    func flag(_ key: FieldKey) -> Bool?
    /// Ordered-extent flags from names (`REGULAR|DIRECT`) or kernel bits; numbers follow the
    /// modern (5.x+) or 4.x enum order. A reader that knows the kernel version may override
    /// `modernOrder`.
    func orderedExtentFlags(_ key: FieldKey, modernOrder: Bool) -> OrderedExtentFlags?
    /// A `%ps` function pointer as a symbol name; nil when only an address is known.
    func function(_ key: FieldKey) -> String?
    /// A kprobe register or return value: x64 printers give two's complement hex, and a value
    /// printed or stored in 32 bits is sign-extended from 32 bits (`0xfffffff2` is -14).
    func register(_ key: FieldKey) -> Int64?
}
