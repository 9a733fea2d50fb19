import Foundation

/// What the first bytes of a file say about it, checked before handing the file to libdwfl so
/// errors name the file and the real cause (missing, unreadable, not ELF).
enum FileProbe {
    enum Kind: Equatable {
        case elf
        case xz, gzip, bzip2, zstd
        case other
    }

    /// Throws `fileNotFound`, `unreadable` or `notADirectory`-style errors; returns the content kind.
    static func probe(_ path: String) throws(ElfSymbolizationError) -> Kind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ElfSymbolizationError(code: .fileNotFound, path: path, message: "no such file")
        }
        if isDirectory.boolValue {
            throw ElfSymbolizationError(code: .notELF, path: path, message: "is a directory, expected an ELF file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ElfSymbolizationError(code: .unreadable, path: path, message: "cannot open for reading (permissions?)")
        }
        defer { try? handle.close() }
        let head: [UInt8]
        do {
            head = Array(try handle.read(upToCount: 6) ?? Data())
        } catch {
            throw ElfSymbolizationError(code: .unreadable, path: path, message: "read failed: \(error)")
        }
        return kind(of: head)
    }

    static func kind(of head: [UInt8]) -> Kind {
        if head.starts(with: [0x7f, 0x45, 0x4c, 0x46]) { return .elf }
        if head.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
        if head.starts(with: [0x1f, 0x8b]) { return .gzip }
        if head.starts(with: [0x42, 0x5a, 0x68]) { return .bzip2 }
        if head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        return .other
    }
}
