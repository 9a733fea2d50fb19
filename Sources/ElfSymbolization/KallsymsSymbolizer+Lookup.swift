public import KernelLog

extension KallsymsSymbolizer {
    public func symbolize(_ request: SymbolizationRequest) -> SymbolizationResult? {
        if let function = request.function {
            let choice = choose(function, module: request.module, size: request.size)
            if let index = choice.index {
                var result = SymbolizationResult(symbol: function, symbolOffset: request.offset ?? 0, diagnostics: choice.diagnostics)
                if hasAddresses, let printed = request.address,
                   printed != entries[index].address &+ (request.offset ?? 0) {
                    result.diagnostics.append("address \(hex(printed)) differs from kallsyms \(function)+\(hex(request.offset ?? 0)) (copy from another boot?)")
                }
                return result
            }
        }
        guard let address = request.address, hasAddresses else { return nil }
        // Like the kernel's %pB: a return address is looked up at address - 1 and the offset re-based.
        let adjust: UInt64 = request.isReturnAddress && address > 0 ? 1 : 0
        guard let location = location(of: address - adjust) else { return nil }
        var result = SymbolizationResult(symbol: location.name, symbolOffset: location.offset + adjust)
        if location.module != request.module {
            result.diagnostics.append("address \(hex(address)) is in \(location.module ?? "vmlinux"), frame says \(request.module ?? "vmlinux")")
        }
        return result
    }
}
