public import KernelLog

extension DwarfSymbolizer {
    /// Infers the KASLR slide of the core kernel (`module == nil`) or of one module from frames that
    /// print both a raw address and `function+offset`: each votes `address - (symbol + offset)`,
    /// the majority wins. Nil when no frame can vote or the vote ties.
    public func inferSlide(from requests: [SymbolizationRequest], module: String? = nil) -> Int64? {
        let key = module.map(ModuleDiscovery.normalize)
        guard let loaded = try? self.module(named: key) else { return nil }
        var votes: [Int64] = []
        for request in requests where request.module.map(ModuleDiscovery.normalize) == key {
            guard let address = request.address, let function = request.function, let offset = request.offset,
                  request.buildID.map({ loaded.buildID == nil || $0.lowercased() == loaded.buildID }) ?? true,
                  let resolved = loaded.symbols.resolve(name: function, offset: offset, size: request.size) else { continue }
            let base = key == nil ? resolved.symbol.address &- loaded.bias : resolved.symbol.address
            votes.append(Int64(bitPattern: address &- (base &+ offset)))
        }
        return KaslrSlide.majority(of: votes)
    }

    /// Infers and stores the slides of the core kernel and of every module the requests mention.
    /// Returns them keyed by module name, with "vmlinux" for the core kernel.
    @discardableResult
    public func applyInferredSlides(from requests: [SymbolizationRequest]) -> [String: Int64] {
        var inferred: [String: Int64] = [:]
        let names = Set(requests.map { $0.module.map(ModuleDiscovery.normalize) })
        for name in names {
            guard let value = inferSlide(from: requests, module: name) else { continue }
            setSlide(value, forModule: name)
            inferred[name ?? "vmlinux"] = value
        }
        return inferred
    }
}
