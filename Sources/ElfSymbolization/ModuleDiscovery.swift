import Foundation

/// Finds kernel module files under a directory (recursively), like libdwfl's
/// `dwfl_linux_kernel_report_offline` walk: `*.ko` plus the compressed forms this elfutils can open.
///
/// elfutils 0.188 as shipped by Debian 12 links zlib, bzip2 and liblzma but not libzstd, so
/// `*.ko.gz`, `*.ko.bz2` and `*.ko.xz` are readable and `*.ko.zst` is not (reported, not loaded).
struct ModuleDiscovery {
    /// Module name (KBUILD_MODNAME form, `-`/`,` as `_`) to file path; first file found wins.
    var modules: [String: String] = [:]
    /// Files that were found but cannot be used, with the reason.
    var problems: [ElfSymbolizationError] = []

    static let readableSuffixes = [".ko", ".ko.xz", ".ko.gz", ".ko.bz2"]
    static let unsupportedSuffixes = [".ko.zst"]

    static func moduleName(fileName: String) -> String? {
        for suffix in readableSuffixes + unsupportedSuffixes where fileName.hasSuffix(suffix) {
            return normalize(String(fileName.dropLast(suffix.count)))
        }
        return nil
    }

    /// `btrfs-foo,bar` → `btrfs_foo_bar`, as KBUILD_MODNAME and `[module]` frames spell it.
    static func normalize(_ name: String) -> String {
        String(name.map { $0 == "-" || $0 == "," ? "_" : $0 })
    }

    init() {}

    init(directory: String) throws(ElfSymbolizationError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw ElfSymbolizationError(code: .fileNotFound, path: directory, message: "modules directory does not exist")
        }
        guard isDirectory.boolValue else {
            throw ElfSymbolizationError(code: .notADirectory, path: directory, message: "--modules expects a directory")
        }
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw ElfSymbolizationError(code: .unreadable, path: directory, message: "cannot list directory")
        }
        var found = 0
        let relatives = walker.compactMap { $0 as? String }.sorted()
        for relative in relatives {
            let fileName = (relative as NSString).lastPathComponent
            guard let name = Self.moduleName(fileName: fileName) else { continue }
            found += 1
            let path = (directory as NSString).appendingPathComponent(relative)
            consider(path: path, name: name, fileName: fileName)
        }
        if found > 0 && modules.isEmpty {
            let listed = problems.prefix(5).map { "\($0.path) (\($0.message))" }.joined(separator: "; ")
            throw ElfSymbolizationError(code: .noUsableModules, path: directory,
                                        message: "none of the \(found) module files can be used: \(listed)")
        }
    }

    private mutating func consider(path: String, name: String, fileName: String) {
        if Self.unsupportedSuffixes.contains(where: { fileName.hasSuffix($0) }) {
            problems.append(ElfSymbolizationError(code: .unreadable, path: path,
                                                  message: "zstd-compressed modules are not supported by this elfutils; decompress with `zstd -d`"))
            return
        }
        do throws(ElfSymbolizationError) {
            let kind = try FileProbe.probe(path)
            guard kind != .other && kind != .zstd else {
                problems.append(ElfSymbolizationError(code: .notELF, path: path, message: "not an ELF object or a supported compressed one"))
                return
            }
            if modules[name] == nil { modules[name] = path }
        } catch {
            problems.append(error)
        }
    }
}
