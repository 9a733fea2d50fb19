import TraceEvents

/// Turns the binary payload of a record into the `AccountingEvent` the text path makes of the same
/// event's `trace-cmd report` line. Only binary field access and dispatch live here: the field
/// names and their meaning are the family decoders' (`TraceEvents/Decoders`), shared with the
/// text path; each event type's fields are resolved once (`EventDescriptor.layout`) and read by
/// offset; nothing is printed and re-parsed.
final class RecordDecoder {
    let swapBytes: Bool
    /// Names function addresses (`%ps`) from the file's kallsyms, parsed on first use.
    private let functionNames: any FunctionNaming

    init(swapBytes: Bool, functionNames: any FunctionNaming) {
        self.swapBytes = swapBytes
        self.functionNames = functionNames
    }

    /// The value of `f` in `p`, zero- or sign-extended (for the common fields).
    @inline(__always)
    func rawValue(_ f: Field, _ p: UnsafeRawBufferPointer) -> UInt64? {
        f.value(in: p, swapBytes: swapBytes)
    }

    /// Decodes one record (`p` starts at `common_type`) of the event type `d`.
    func decode(_ d: EventDescriptor, _ p: UnsafeRawBufferPointer) -> AccountingEvent? {
        d.layout.decode(p, swapBytes: swapBytes, functionNames: functionNames)
    }
}
