extension KernelReport {
    /// Returns the report with every frame (and the instruction pointer) mapped to source by `symbolizer`.
    ///
    /// Each frame asks with `StackFrame.symbolizationRequest`: return addresses are looked up at `pc - 1`
    /// (`isReturnAddress == true`); only the faulting RIP/PC frame is looked up exactly. The answer's inline
    /// chain (innermost first) is split: its last entry — the frame's own function — gives `file`/`line`
    /// (the call site inside that function), the entries before it become `inlined`.
    /// With a nil symbolizer the report is returned unchanged.
    public func symbolized(using symbolizer: (any Symbolizer)?) -> KernelReport {
        guard let symbolizer else { return self }
        var copy = self
        copy.frames = frames.map { $0.symbolized(using: symbolizer) }
        copy.instructionPointer = instructionPointer.map { $0.symbolized(using: symbolizer) }
        return copy
    }
}

extension StackFrame {
    /// This frame with `file`, `line`, `inlined` and `diagnostics` filled from `symbolizer`.
    public func symbolized(using symbolizer: any Symbolizer) -> StackFrame {
        guard function != nil || address != nil, let result = symbolizer.symbolize(symbolizationRequest) else {
            return self
        }
        var copy = self
        copy.diagnostics += result.diagnostics
        if let outermost = result.chain.last {
            copy.file = outermost.file
            copy.line = outermost.line
            copy.inlined = Array(result.chain.dropLast())
        }
        if copy.function == nil, let symbol = result.symbol {
            copy.function = symbol
            copy.offset = result.symbolOffset
        }
        return copy
    }
}
