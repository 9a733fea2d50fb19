internal import CElfUtils

/// A fatal problem opening ELF/DWARF inputs for symbolization. The message always names the file.
public struct ElfSymbolizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a struct over a private enum so cases can be added without breaking API.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case fileNotFound = "file not found"
            case unreadable = "file not readable"
            case notELF = "not an ELF file"
            case notADirectory = "not a directory"
            case noUsableModules = "no usable modules"
            case libdwfl = "libdwfl error"
            case libelf = "libelf error"
            case malformedInput = "malformed input"
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        public static let fileNotFound = Code(.fileNotFound)
        public static let unreadable = Code(.unreadable)
        public static let notELF = Code(.notELF)
        public static let notADirectory = Code(.notADirectory)
        public static let noUsableModules = Code(.noUsableModules)
        /// A libdwfl call failed; the message carries `dwfl_errmsg(-1)`.
        public static let libdwfl = Code(.libdwfl)
        /// A libelf call failed; the message carries `elf_errmsg(-1)`.
        public static let libelf = Code(.libelf)
        public static let malformedInput = Code(.malformedInput)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// The file or directory the problem is about.
    public let path: String
    public let message: String

    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(code): \(message)" }

    /// The one place libdwfl errors become Swift errors (reads `dwfl_errno()` / `dwfl_errmsg(-1)`).
    static func currentDwfl(path: String, action: String) -> ElfSymbolizationError {
        let text = dwfl_errmsg(-1).map { String(cString: $0) } ?? "unknown libdwfl error"
        return ElfSymbolizationError(code: .libdwfl, path: path, message: "\(action): \(text)")
    }

    /// The one place libelf errors become Swift errors (reads `elf_errno()` / `elf_errmsg(-1)`).
    static func currentElf(path: String, action: String) -> ElfSymbolizationError {
        let text = elf_errmsg(-1).map { String(cString: $0) } ?? "unknown libelf error"
        return ElfSymbolizationError(code: .libelf, path: path, message: "\(action): \(text)")
    }
}
