import Foundation

/// A case directory: `expect.txt` plus the traces and kernel logs beside it.
///
/// File rule, applied to the case directory's own entries (subdirectories and hidden files are ignored):
/// - `expect.txt` is the expectations file;
/// - `README*` and `*.md` are documentation;
/// - `dmesg*`, `*.log` and `*.log.gz` are kernel logs;
/// - every other file is a trace, in any format `analyze` reads (ftrace, trace-cmd report, perf
///   script text, gzip-compressed or not, trace.dat). A case needs at least one trace.
public struct FixtureCase: Sendable, Equatable {
    /// The case directory, as found under the root (`Fixtures/cases/nocow-dio`).
    public var directory: String
    /// The root directory given to `check` under which the case was found.
    public var root: String
    /// The name of the case relative to its root (`nocow-dio`, or `.` when the root is the case).
    public var name: String

    public init(directory: String, root: String, name: String) {
        self.directory = directory
        self.root = root
        self.name = name
    }

    public var expectationsPath: String { directory + "/" + FixtureCase.expectationsFileName }

    public static let expectationsFileName = "expect.txt"

    /// The role a case directory entry plays.
    public enum FileRole: Sendable, Equatable {
        case expectations, documentation, kernelLog, trace
    }

    /// Classifies a file name in a case directory.
    public static func role(of fileName: String) -> FileRole {
        let lower = fileName.lowercased()
        if fileName == expectationsFileName { return .expectations }
        if lower.hasPrefix("readme") || lower.hasSuffix(".md") { return .documentation }
        let uncompressed = [".gz", ".xz", ".zst"].first { lower.hasSuffix($0) }.map { String(lower.dropLast($0.count)) } ?? lower
        if lower.hasPrefix("dmesg") || uncompressed.hasSuffix(".log") { return .kernelLog }
        return .trace
    }
}

/// The files of a case, sorted by name.
public struct CaseFiles: Sendable, Equatable {
    public var traces: [String]
    public var kernelLogs: [String]
}

/// Finds cases and lists their files.
public enum CaseDiscovery {
    /// Every case under `root` (recursively; a case directory is not searched further), sorted by path.
    /// - Throws: `CheckUsageError` when `root` is not a directory.
    public static func cases(under root: String) throws(CheckUsageError) -> [FixtureCase] {
        let root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckUsageError(message: "\(root): not a directory")
        }
        var found: [FixtureCase] = []
        var visited: Set<DirectoryIdentity> = []
        collect(root, relative: "", root: root, into: &found, visited: &visited)
        return found.sorted { $0.directory < $1.directory }
    }

    /// A directory by device and inode: symlinks back up the tree (`a -> .`) are searched once.
    struct DirectoryIdentity: Hashable { var device: UInt64; var inode: UInt64 }

    static func identity(_ path: String) -> DirectoryIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return DirectoryIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    private static func collect(_ directory: String, relative: String, root: String, into found: inout [FixtureCase],
                                visited: inout Set<DirectoryIdentity>) {
        if let id = identity(directory) { guard visited.insert(id).inserted else { return } }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        if entries.contains(FixtureCase.expectationsFileName) {
            found.append(FixtureCase(directory: directory, root: root, name: relative.isEmpty ? "." : relative))
            return
        }
        for entry in entries where !entry.hasPrefix(".") {
            let path = directory + "/" + entry
            var isDirectory: ObjCBool = false
            // fileExists follows symlinks; a symlinked directory is searched like a real one.
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                collect(path, relative: relative.isEmpty ? entry : relative + "/" + entry, root: root, into: &found, visited: &visited)
            }
        }
    }

    /// The traces and kernel logs of `fixtureCase`.
    /// - Throws: `CaseError` when the directory cannot be listed, an entry is not a readable
    ///   regular file (a dangling symlink, a FIFO, a socket), or there is no trace.
    public static func files(of fixtureCase: FixtureCase) throws(CaseError) -> CaseFiles {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: fixtureCase.directory).sorted() } catch {
            throw CaseError("\(fixtureCase.directory): cannot list directory")
        }
        var files = CaseFiles(traces: [], kernelLogs: [])
        for entry in entries where !entry.hasPrefix(".") {
            let path = fixtureCase.directory + "/" + entry
            let role = FixtureCase.role(of: entry)
            var status = stat()
            if stat(path, &status) != 0 {
                if role == .documentation { continue }
                throw CaseError("\(path): cannot read: \(String(cString: strerror(errno)))")
            }
            let type = status.st_mode & S_IFMT
            if type == S_IFDIR { continue }
            guard type == S_IFREG else {
                if role == .documentation { continue }
                throw CaseError("\(path): not a regular file (a FIFO, socket or device cannot be a trace)")
            }
            switch role {
            case .trace: files.traces.append(path)
            case .kernelLog: files.kernelLogs.append(path)
            case .expectations, .documentation: break
            }
        }
        if files.traces.isEmpty {
            throw CaseError("\(fixtureCase.directory): no trace in the case (every file other than expect.txt, README*, *.md, dmesg*, *.log is a trace)")
        }
        return files
    }
}

/// A problem that makes a case an error rather than a pass or fail.
public struct CaseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A usage problem of `check` itself (exit 2).
public struct CheckUsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
