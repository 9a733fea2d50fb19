/// Where one field lies in a binary record (from the event's `format`: `offset:`, `size:`,
/// `signed:`, and whether it is a `__data_loc` / `__rel_loc` string).
public struct RecordField: Sendable {
    public var offset: Int
    public var size: Int
    public var signed: Bool
    public var relative: Bool
    public var present: Bool
    /// For a flag key: the bit the format's `__print_flags` table gives the key's flag name.
    public var mask: UInt64

    public init(offset: Int = 0, size: Int = 0, signed: Bool = false, relative: Bool = false, present: Bool = false, mask: UInt64 = 0) {
        self.offset = offset
        self.size = size
        self.signed = signed
        self.relative = relative
        self.present = present
        self.mask = mask
    }

    public static let absent = RecordField()

    /// The value in `record`, zero- or sign-extended to 64 bits; nil when absent or out of bounds.
    /// Inlinable: the trace.dat reader reads `common_type` and `common_pid` with it on every record.
    @inlinable @inline(__always)
    public func value(in record: UnsafeRawBufferPointer, swapBytes: Bool) -> UInt64? {
        guard present, offset >= 0, offset + size <= record.count else { return nil }
        switch size {
        case 8:
            let v = record.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            return swapBytes ? v.byteSwapped : v
        case 4:
            var x = record.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            if swapBytes { x = x.byteSwapped }
            return signed ? UInt64(bitPattern: Int64(Int32(bitPattern: x))) : UInt64(x)
        case 2:
            var x = record.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
            if swapBytes { x = x.byteSwapped }
            return signed ? UInt64(bitPattern: Int64(Int16(bitPattern: x))) : UInt64(x)
        case 1:
            let x = record.load(fromByteOffset: offset, as: UInt8.self)
            return signed ? UInt64(bitPattern: Int64(Int8(bitPattern: x))) : UInt64(x)
        default:
            return nil
        }
    }
}

/// The record layout of one event type for its family decoder: the family's `keys` resolved to
/// record fields (slot for slot), found by name once per event type.
public final class RecordLayout {
    public let kind: DecoderKind
    /// Slot for slot the kind's keys (owned here: the per-record accessor reads it without
    /// reference counting).
    private let slots: UnsafeMutableBufferPointer<RecordField>
    /// The ordered-extent enum order of the recorded kernel, when known from its version.
    public let modernOrderedExtentFlags: Bool?
    /// kprobes: the probed function, whether the event is a return probe, and whether the
    /// return value is printed as 32-bit hex (`ret=0x%x`).
    public let probeFunction: InternedString
    public let probeIsReturn: Bool
    public let probeReturnIsHex32: Bool

    /// `resolve` gives the record field for each of the kind's keys (`DecoderKind.fieldKeys`).
    public init(kind: DecoderKind, modernOrderedExtentFlags: Bool?,
                probeFunction: String = "", probeIsReturn: Bool = false, probeReturnIsHex32: Bool = false,
                resolve: (FieldKey) -> RecordField) {
        self.kind = kind
        let resolved = kind.fieldKeys.map(resolve)
        slots = UnsafeMutableBufferPointer<RecordField>.allocate(capacity: resolved.count)
        _ = slots.initialize(from: resolved)
        self.modernOrderedExtentFlags = modernOrderedExtentFlags
        self.probeFunction = InternedString(probeFunction)
        self.probeIsReturn = probeIsReturn
        self.probeReturnIsHex32 = probeReturnIsHex32
    }

    deinit { slots.deallocate() }

    /// Decodes one record of this event type (`record` starts at `common_type`; `swapBytes` when
    /// the recording machine's byte order differs); `functionNames` names `%ps` addresses (kallsyms).
    public func decode(_ record: UnsafeRawBufferPointer, swapBytes: Bool, functionNames: any FunctionNaming) -> AccountingEvent? {
        let f = RecordFields(layout: self, fields: UnsafeBufferPointer(slots), record: record, swapBytes: swapBytes,
                             functionNames: functionNames)
        if case .probeCandidate = kind {
            return ProbeEvents.probe(function: probeFunction, isReturn: probeIsReturn, fields: f)
        }
        return FamilyDecoders.decode(kind, f)
    }
}

/// Names the function at a kernel address, for `%ps` fields of binary records (the file's
/// kallsyms in a trace.dat).
public protocol FunctionNaming: AnyObject {
    func name(at address: UInt64) -> String?
}

/// Binary field access for the family decoders: slot `key.slot` of the layout, read by offset.
/// No names are compared per record.
/// Lives only inside `RecordLayout.decode`, which keeps the layout (and its slots) alive.
struct RecordFields: EventFields {
    unowned(unsafe) let layout: RecordLayout
    let fields: UnsafeBufferPointer<RecordField>
    let record: UnsafeRawBufferPointer
    let swapBytes: Bool
    /// Held by the decoder that calls `decode` (a closure here was retained and released per record).
    unowned(unsafe) let functionNames: any FunctionNaming

    @inline(__always)
    func field(_ key: FieldKey) -> RecordField {
        key.slot < fields.count ? fields[key.slot] : .absent
    }

    @inline(__always)
    func raw(_ key: FieldKey) -> UInt64? { field(key).value(in: record, swapBytes: swapBytes) }

    @inline(__always)
    func has(_ key: FieldKey) -> Bool { field(key).present }

    /// nil for a signed field holding a negative value, as the text shows it with a `-`.
    @inline(__always)
    func unsigned(_ key: FieldKey) -> UInt64? {
        let f = field(key)
        guard let v = f.value(in: record, swapBytes: swapBytes) else { return nil }
        return f.signed && Int64(bitPattern: v) < 0 ? nil : v
    }

    @inline(__always)
    func signed(_ key: FieldKey) -> Int64? { raw(key).map { Int64(bitPattern: $0) } }

    /// A `__data_loc char[]` (or `__rel_loc`): low 16 bits offset, high 16 bits length with NUL.
    func bytes(_ key: FieldKey) -> UnsafeRawBufferPointer? {
        let f = field(key)
        guard f.present, f.size == 4, f.offset >= 0, f.offset + 4 <= record.count else { return nil }
        var loc = record.loadUnaligned(fromByteOffset: f.offset, as: UInt32.self)
        if swapBytes { loc = loc.byteSwapped }
        var start = Int(loc & 0xFFFF)
        if f.relative { start += f.offset + f.size }
        guard start <= record.count else { return nil }
        let limit = start + min(Int(loc >> 16), record.count - start)
        var end = start
        while end < limit && record[end] != 0 { end += 1 }
        return UnsafeRawBufferPointer(rebasing: record[start..<end])
    }

    func printedFlags(_ key: FieldKey, _ names: PrintedNames) -> UInt64? { raw(key) }

    func flag(_ key: FieldKey) -> Bool? {
        let f = field(key)
        guard let v = f.value(in: record, swapBytes: swapBytes) else { return nil }
        return f.mask != 0 && v & f.mask == f.mask
    }

    func orderedExtentFlags(_ key: FieldKey, modernOrder: Bool) -> OrderedExtentFlags? {
        raw(key).map { OrderedExtentFlags.fromKernelBits($0, modern: layout.modernOrderedExtentFlags ?? modernOrder).0 }
    }

    /// `%ps`: named from the file's kallsyms, as `trace-cmd report` prints it.
    func function(_ key: FieldKey) -> String? { raw(key).flatMap { functionNames.name(at: $0) } }

    func register(_ key: FieldKey) -> Int64? {
        let f = field(key)
        guard var v = signed(key) else { return nil }
        if layout.probeReturnIsHex32 && !f.signed && f.size == 4 { v = Int64(Int32(truncatingIfNeeded: v)) }
        return v
    }
}