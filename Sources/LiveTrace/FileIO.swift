#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small POSIX file helpers for pseudo files (tracefs, sysfs, procfs), whose size is not
/// known up front. Internal: the public surface is `Tracefs` and `TracingState`.
enum FileIO {
    /// Reads a whole file. The corresponding C functions are `open(2)` and `read(2)`.
    static func readString(_ path: String) throws(LiveTraceError) -> String {
        let bytes = try readBytes(path)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func readBytes(_ path: String) throws(LiveTraceError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .system(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(call: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Writes `value` in one `write(2)` call (tracefs parses each write separately).
    /// - Parameter append: `O_APPEND` instead of `O_TRUNC` (for `set_event`, `O_TRUNC` clears it).
    static func write(_ path: String, _ value: String, append: Bool = false) throws(LiveTraceError) {
        let flags = O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        let fd = open(path, flags)
        if fd < 0 { throw .system(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        if value.isEmpty { return }
        var bytes = Array(value.utf8)
        let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if n < 0 { throw .system(call: "write", path: path, errno: errno) }
        if n != bytes.count {
            throw .system(call: "write (short)", path: path, errno: EIO)
        }
    }

    /// Opens with `O_TRUNC` and writes nothing: clears `trace` and `set_event`.
    static func truncate(_ path: String) throws(LiveTraceError) {
        try write(path, "", append: false)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Directory entries without `.` and `..`, sorted.
    static func listDirectory(_ path: String) throws(LiveTraceError) -> [String] {
        guard let dir = opendir(path) else { throw .system(call: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func trimmed(_ s: String) -> String {
        var sub = Substring(s)
        while let c = sub.last, c == "\n" || c == " " || c == "\t" { sub.removeLast() }
        while let c = sub.first, c == "\n" || c == " " || c == "\t" { sub.removeFirst() }
        return String(sub)
    }
}
