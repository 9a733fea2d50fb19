internal import CElfUtils
import Glibc

/// Owns one libdwfl `Dwfl` handle set up for offline reporting (`dwfl_report_offline`, which
/// places and relocates ET_REL kernel modules). `deinit` calls `dwfl_end`.
///
/// Not thread-safe: libdw 0.188 does not promise concurrent use of one handle.
final class DwflSession {
    private let handle: OpaquePointer
    private let callbacks: UnsafeMutablePointer<Dwfl_Callbacks>
    private let debuginfoPath: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

    init() throws(ElfSymbolizationError) {
        debuginfoPath = .allocate(capacity: 1)
        debuginfoPath.initialize(to: strdup("+:.debug:/usr/lib/debug"))
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: Dwfl_Callbacks())
        callbacks.pointee.find_elf = dwfl_build_id_find_elf
        callbacks.pointee.find_debuginfo = dwfl_standard_find_debuginfo
        callbacks.pointee.section_address = dwfl_offline_section_address
        callbacks.pointee.debuginfo_path = debuginfoPath
        guard let dwfl = dwfl_begin(callbacks) else {
            let error = ElfSymbolizationError.currentDwfl(path: "<libdwfl>", action: "dwfl_begin")
            Self.release(callbacks: callbacks, debuginfoPath: debuginfoPath)
            throw error
        }
        handle = dwfl
        dwfl_report_begin(dwfl)
        dwfl_report_end(dwfl, nil, nil)
    }

    deinit {
        dwfl_end(handle)
        Self.release(callbacks: callbacks, debuginfoPath: debuginfoPath)
    }

    private static func release(callbacks: UnsafeMutablePointer<Dwfl_Callbacks>,
                                debuginfoPath: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) {
        free(debuginfoPath.pointee)
        debuginfoPath.deinitialize(count: 1)
        debuginfoPath.deallocate()
        callbacks.deinitialize(count: 1)
        callbacks.deallocate()
    }

    /// Adds one file (vmlinux first, then modules) to the session, keeping earlier modules.
    /// The returned module handle lives as long as this session.
    func reportOffline(name: String, path: String) throws(ElfSymbolizationError) -> OpaquePointer {
        dwfl_report_begin_add(handle)
        let module = dwfl_report_offline(handle, name, path, -1)
        let failure = module == nil ? ElfSymbolizationError.currentDwfl(path: path, action: "dwfl_report_offline") : nil
        dwfl_report_end(handle, nil, nil)
        guard let module else {
            throw failure ?? ElfSymbolizationError(code: .libdwfl, path: path, message: "dwfl_report_offline failed")
        }
        return module
    }
}
