import Foundation

/// Runs external tools (mkfs.btrfs, losetup, mount, the capture script). The only file of the
/// module that uses Foundation.
public enum Command {
    /// Result of `run`.
    public struct Output: Sendable {
        public var status: Int32
        /// stdout and stderr, interleaved as written.
        public var output: String
        public var succeeded: Bool { status == 0 }
    }

    /// Full path of `tool` in `PATH` (plus the sbin directories), or nil.
    public static func which(_ tool: String) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        for dir in dirs {
            let candidate = dir + "/" + tool
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `tool` with `arguments` and waits.
    /// - Parameter environment: added to (and overriding) the current environment.
    /// - Throws: `.toolMissing` when `tool` is not found; a non-zero exit is *not* an error here.
    public static func run(_ tool: String, _ arguments: [String],
                           environment: [String: String] = [:]) throws(LiveTraceError) -> Output {
        guard let exe = which(tool) else { throw .toolMissing(tool) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .commandFailed(command: ([exe] + arguments).joined(separator: " "), status: -1,
                                 output: "\(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Like `run`, but throws `.commandFailed` on a non-zero exit.
    @discardableResult
    public static func check(_ tool: String, _ arguments: [String],
                             environment: [String: String] = [:]) throws(LiveTraceError) -> String {
        let out = try run(tool, arguments, environment: environment)
        guard out.succeeded else {
            throw .commandFailed(command: ([tool] + arguments).joined(separator: " "), status: out.status, output: out.output)
        }
        return out.output
    }

    /// A fresh temporary directory (`mkdtemp`) under `TMPDIR` or `/var/tmp`.
    public static func makeTemporaryDirectory(prefix: String) throws(LiveTraceError) -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/var/tmp"
        var template = Array((base + "/" + prefix + ".XXXXXX").utf8CString)
        let ok = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard ok else { throw .system(call: "mkdtemp", path: base, errno: errno) }
        return String(cString: template)
    }

    /// Removes a directory tree (best effort).
    public static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
