public import KernelLog

/// In-process symbolizer over elfutils libdwfl: a vmlinux (ET_EXEC) and kernel modules (ET_REL
/// `.ko`, relocated by `dwfl_report_offline`) mapped to file, line and the full inline chain.
///
/// Modules are found up front and loaded on first use. One instance owns one `Dwfl` handle; it
/// caches symbol tables and chains, and is not thread-safe.
public final class DwarfSymbolizer: Symbolizer {
    /// Problems found while opening inputs that did not stop the symbolizer (a module that cannot be
    /// read, a vmlinux without DWARF, ...). Each names its file.
    public private(set) var loadProblems: [ElfSymbolizationError] = []
    /// Core-kernel KASLR slide: runtime address = link-time address + slide. Used for raw addresses.
    public var slide: Int64 = 0
    /// Per-module slides: runtime address = libdwfl's offline placement + slide.
    public private(set) var moduleSlides: [String: Int64] = [:]

    private let session: DwflSession
    private let kernel: LoadedModule?
    private let moduleFiles: [String: String]
    private var modules: [String: LoadedModule] = [:]
    private var moduleFailures: [String: ElfSymbolizationError] = [:]

    /// Opens `vmlinux` (nil: modules only) and indexes the modules under `modulesDirectory`
    /// (recursively: `*.ko`, `*.ko.xz`, `*.ko.gz`, `*.ko.bz2`).
    public convenience init(vmlinux: String?, modulesDirectory: String? = nil) throws(ElfSymbolizationError) {
        var discovery = ModuleDiscovery()
        if let modulesDirectory { discovery = try ModuleDiscovery(directory: modulesDirectory) }
        try self.init(vmlinux: vmlinux, moduleFiles: discovery.modules)
        loadProblems.append(contentsOf: discovery.problems)
    }

    /// Opens `vmlinux` and the given module files, keyed by module name as frames print it.
    public init(vmlinux: String?, moduleFiles: [String: String]) throws(ElfSymbolizationError) {
        session = try DwflSession()
        var files: [String: String] = [:]
        for (name, path) in moduleFiles { files[ModuleDiscovery.normalize(name)] = path }
        self.moduleFiles = files
        if let vmlinux {
            let kind = try FileProbe.probe(vmlinux)
            guard kind == .elf || kind == .xz || kind == .gzip || kind == .bzip2 else {
                throw ElfSymbolizationError(code: .notELF, path: vmlinux, message: "--vmlinux is not an ELF file")
            }
            let loaded = LoadedModule(moduleName: nil, path: vmlinux, handle: try session.reportOffline(name: "kernel", path: vmlinux))
            kernel = loaded
            if !loaded.hasDwarf {
                loadProblems.append(Self.noDebugInfo(loaded))
            }
        } else {
            kernel = nil
        }
    }

    private static func noDebugInfo(_ module: LoadedModule) -> ElfSymbolizationError {
        ElfSymbolizationError(code: .malformedInput, path: module.path,
                              message: "no DWARF debug info; only symbol-level results from the symbol table")
    }

    /// Build id (lower-case hex) of vmlinux's GNU build-id note, if any.
    public var kernelBuildID: String? { kernel?.buildID }

    /// Names of the modules that can be loaded.
    public var moduleNames: [String] { moduleFiles.keys.sorted() }

    /// Build id of a module's file; loads the module.
    public func buildID(ofModule name: String) -> String? {
        (try? module(named: name))?.buildID
    }

    /// Sets (or clears, with nil) the slide of one module, or of the core kernel when `module` is nil.
    public func setSlide(_ value: Int64?, forModule module: String?) {
        guard let module else { slide = value ?? 0; return }
        moduleSlides[ModuleDiscovery.normalize(module)] = value
    }

    /// Link-time address (libdwfl's offline placement for modules) of `function+offset`,
    /// disambiguated by `size` like a frame. Nil when the symbol is unknown.
    public func linkAddress(ofFunction function: String, offset: UInt64 = 0, size: UInt64? = nil, module: String? = nil) -> UInt64? {
        guard let loaded = try? self.module(named: module),
              let resolved = loaded.symbols.resolve(name: function, offset: offset, size: size) else { return nil }
        let bias = module == nil ? loaded.bias : 0
        return resolved.symbol.address &- bias &+ offset
    }

    func module(named name: String?) throws(ElfSymbolizationError) -> LoadedModule? {
        guard let name else { return kernel }
        let key = ModuleDiscovery.normalize(name)
        if let loaded = modules[key] { return loaded }
        if let failure = moduleFailures[key] { throw failure }
        guard let path = moduleFiles[key] else { return nil }
        do throws(ElfSymbolizationError) {
            let loaded = LoadedModule(moduleName: key, path: path, handle: try session.reportOffline(name: key, path: path))
            modules[key] = loaded
            if !loaded.hasDwarf { loadProblems.append(Self.noDebugInfo(loaded)) }
            return loaded
        } catch {
            moduleFailures[key] = error
            loadProblems.append(error)
            throw error
        }
    }
}
