import TraceEvents

/// Where one field of an event lies in a record (from the event's format).
typealias Field = RecordField

/// One event type of a trace.dat (or of a live `trace_pipe_raw`): its name, the decoding its name
/// gets, and the record layout of its family decoder: the family's field keys
/// (`DecoderKind.fieldKeys`) found by name in the format once, read by offset per record.
final class EventDescriptor {
    let name: String
    let internedName: InternedString
    let kind: AccountingEventKind
    /// Whether records of this type become `TraceEvent`s.
    let decoded: Bool
    var count: UInt64 = 0
    var fsid = Field.absent
    let layout: RecordLayout

    /// `modernFlags`: the ordered-extent enum order from the recorded kernel's version, nil when
    /// unknown (then inferred per event from `truncated_len`, as the text path does).
    init(format: EventFormat, modernFlags fromVersion: Bool?) {
        let name = format.name
        self.name = name
        internedName = InternedString(name)
        var kind = AccountingEventKind.forEventName(name)
        if let f = format.fields["fsid"], f.size == 16 {
            fsid = Field(offset: f.offset, size: 16, present: true)
        }
        var probe = (function: "", isReturn: false, hex32: false)
        if case .probeCandidate = kind {
            if let p = Self.probeDefinition(format) { probe = p } else {
                // Named like a probe but not one: the text path does not decode it either.
                kind = .ignored
            }
        }
        layout = RecordLayout(kind: kind, modernOrderedExtentFlags: fromVersion, probeFunction: probe.function,
                              probeIsReturn: probe.isReturn, probeReturnIsHex32: probe.hex32) { key in
            Self.resolve(key, in: format)
        }
        self.kind = kind
        decoded = kind.isDecoded
    }

    /// The first of the key's names the format has; for a flag key, with the bit its
    /// `__print_flags` table gives the flag name.
    private static func resolve(_ key: FieldKey, in format: EventFormat) -> Field {
        var found = Field.absent
        key.forEachName { name in
            guard let f = format.fields[name.description] else { return false }
            found = Field(offset: f.offset, size: f.size, signed: f.signed, relative: f.relative, present: true)
            return true
        }
        if found.present, let flag = key.flagName { found.mask = format.flagValue(named: flag.description) }
        return found
    }

    /// A kprobe (`__probe_ip`) or kretprobe (`__probe_func`, `__probe_ret_ip`) event: the probed
    /// function, whether it returns, and whether the return value prints as 32-bit hex.
    private static func probeDefinition(_ format: EventFormat) -> (function: String, isReturn: Bool, hex32: Bool)? {
        let isKprobe = format.fields["__probe_ip"] != nil
        let isKretprobe = format.fields["__probe_func"] != nil || format.fields["__probe_ret_ip"] != nil
        guard isKprobe || isKretprobe else { return nil }
        let (function, returnByName) = ProbeEvent.function(fromEventName: format.name)
        // The format string only (libtraceevent's print_fmt.format), not its arguments.
        let printed = format.printFormat.split(separator: "\"", maxSplits: 2, omittingEmptySubsequences: false)
        let text = printed.count >= 2 ? String(printed[1]) : format.printFormat
        return (function, returnByName || isKretprobe, text.contains("ret=0x") || text.contains("arg1=0x"))
    }
}
