public import KernelLog

extension DwarfSymbolizer {
    public func symbolize(_ request: SymbolizationRequest) -> SymbolizationResult? {
        let loaded: LoadedModule
        do throws(ElfSymbolizationError) {
            guard let found = try module(named: request.module) else { return nil }
            loaded = found
        } catch {
            return symbolLevel(request, diagnostics: ["cannot use module file: \(error)"])
        }
        var diagnostics: [String] = []
        if let mismatch = buildIDMismatch(request, loaded, notes: &diagnostics) {
            return symbolLevel(request, diagnostics: diagnostics + [mismatch])
        }
        guard let address = address(for: request, in: loaded, diagnostics: &diagnostics) else {
            return diagnostics.isEmpty ? nil : symbolLevel(request, diagnostics: diagnostics)
        }
        let pc = request.isReturnAddress && address > 0 ? address - 1 : address
        var result = SymbolizationResult(diagnostics: diagnostics)
        if let function = request.function, let offset = request.offset {
            result.symbol = function
            result.symbolOffset = offset
        } else if let symbol = loaded.symbol(at: pc) {
            // Like the kernel's %pB: name the symbol of pc (address - 1 for return addresses).
            result.symbol = symbol.name
            result.symbolOffset = symbol.offset + (address - pc)
        }
        result.chain = loaded.chain(at: pc)
        if !loaded.hasDwarf {
            result.diagnostics.append("\(loaded.path) has no DWARF debug info; symbol-level result only")
        }
        return result
    }

    private func symbolLevel(_ request: SymbolizationRequest, diagnostics: [String]) -> SymbolizationResult {
        SymbolizationResult(symbol: request.function, symbolOffset: request.offset, diagnostics: diagnostics)
    }

    /// Returns a diagnostic when the frame's build id differs from the file's; the file is then not used.
    private func buildIDMismatch(_ request: SymbolizationRequest, _ loaded: LoadedModule, notes: inout [String]) -> String? {
        guard let wanted = request.buildID?.lowercased(), !wanted.isEmpty else { return nil }
        guard let actual = loaded.buildID else {
            notes.append("\(loaded.path) has no GNU build-id note; cannot verify build id \(wanted)")
            return nil
        }
        guard actual != wanted else { return nil }
        return "build id mismatch for \(loaded.name): frame has \(wanted), \(loaded.path) has \(actual); file not used for this frame"
    }

    /// The frame's address in libdwfl's address space: from `function+offset` when printed,
    /// else from the raw address minus the slide.
    private func address(for request: SymbolizationRequest, in loaded: LoadedModule, diagnostics: inout [String]) -> UInt64? {
        if let function = request.function {
            let offset = request.offset ?? 0
            if let resolved = loaded.symbols.resolve(name: function, offset: offset, size: request.size) {
                diagnostics.append(contentsOf: resolved.diagnostics)
                if resolved.symbol.size != 0 && offset >= resolved.symbol.size && offset >= resolved.symbol.kallsymsSize {
                    diagnostics.append("offset \(hex(offset)) lies outside \(function) (size \(hex(resolved.symbol.size)))")
                }
                return resolved.symbol.address &+ offset
            }
            diagnostics.append("symbol \(function) not found in \(loaded.path)")
        }
        guard let raw = request.address else { return nil }
        return dwflAddress(ofRuntime: raw, in: loaded, diagnostics: &diagnostics)
    }

    private func dwflAddress(ofRuntime raw: UInt64, in loaded: LoadedModule, diagnostics: inout [String]) -> UInt64? {
        let address: UInt64
        if let module = loaded.moduleName {
            guard let moduleSlide = moduleSlides[module] else {
                diagnostics.append("raw address \(hex(raw)) in module \(module) needs its load address; no slide known (frames with function+offset infer it)")
                return nil
            }
            address = raw &- UInt64(bitPattern: moduleSlide)
        } else {
            address = raw &- UInt64(bitPattern: slide) &+ loaded.bias
        }
        guard loaded.contains(address) else {
            diagnostics.append("address \(hex(raw)) is outside \(loaded.path) (slide \(slide))")
            return nil
        }
        return address
    }
}
