#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Something that fills a buffer with the next bytes of an input.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 at end of input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
    /// Name shown in messages (`-` is shown as `<stdin>`).
    var name: String { get }
}

extension ByteSource {
    /// Reads everything that is left, for inputs small enough to hold in memory (kernel logs,
    /// benchmark seeds, tests). Trace analysis streams instead.
    public func readAll(chunkSize: Int = 1 << 20) throws(InputError) -> [UInt8] {
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkSize, 1), alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try read(into: buffer)
            if n == 0 { return out }
            out += UnsafeRawBufferPointer(rebasing: buffer[..<n])
        }
    }
}

/// Reads a file descriptor with `read(2)`. Owns the descriptor unless it is stdin.
public final class FileDescriptorSource: ByteSource {
    public let name: String
    private let fd: Int32
    private let ownsDescriptor: Bool

    /// Opens `path` (`-` means standard input). Fails for missing files and directories.
    public init(path: String) throws(InputError) {
        if path == "-" {
            name = "<stdin>"
            fd = 0
            ownsDescriptor = false
            return
        }
        name = path
        var st = stat()
        if stat(path, &st) != 0 {
            throw InputError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(file: path, message: "is a directory, not a trace file")
        }
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        if opened < 0 {
            throw InputError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        fd = opened
        ownsDescriptor = true
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
    }

    /// Wraps an already open descriptor (for example a `trace_pipe`); does not close it.
    public init(descriptor: Int32, name: String) {
        self.name = name
        fd = descriptor
        ownsDescriptor = false
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw InputError(file: name, message: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// Serves bytes from memory; used by tests and by chunking checks.
public final class MemorySource: ByteSource {
    public let name: String
    private let bytes: [UInt8]
    private var position = 0
    private let chunkSizes: [Int]
    private var chunkIndex = 0

    /// `chunkSizes` (cycled) limits how many bytes each read returns, to exercise framing.
    public init(bytes: [UInt8], name: String = "<memory>", chunkSizes: [Int] = []) {
        self.bytes = bytes
        self.name = name
        self.chunkSizes = chunkSizes.filter { $0 > 0 }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        var n = min(buffer.count, bytes.count - position)
        if !chunkSizes.isEmpty {
            n = min(n, chunkSizes[chunkIndex % chunkSizes.count])
            chunkIndex += 1
        }
        guard n > 0, let destination = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { src in
            if let base = src.baseAddress { destination.copyMemory(from: base + position, byteCount: n) }
        }
        position += n
        return n
    }
}
