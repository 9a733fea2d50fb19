#if canImport(Glibc)
import Glibc
#endif

/// A regular file mapped read-only into memory, so lines are framed in place with no copy.
/// Owns the mapping; `munmap` runs in `deinit`.
public final class MappedFile {
    public let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let length: Int

    /// Maps `path`; returns nil when it is not a non-empty regular file or cannot be mapped
    /// (callers then stream it with `read`).
    public init?(path: String) {
        // Only regular files: opening a FIFO (`<(zcat ...)`) for a second time would block
        // until another writer came, after the reader that sniffed it had taken its data.
        var pathStatus = stat()
        guard stat(path, &pathStatus) == 0, (pathStatus.st_mode & S_IFMT) == S_IFREG else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else { return nil }
        length = Int(st.st_size)
        guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        _ = madvise(p, length, MADV_SEQUENTIAL)
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: length)
    }

    deinit {
        if let base { munmap(base, length) }
    }

    /// True when the file starts with the magic of a compression the input opener reads (gzip, xz, zstd):
    /// such a file is decoded as a stream, never framed in place.
    public var isCompressed: Bool {
        InputOpener.Compression(magic: Array(bytes.prefix(6))) != nil
    }
}
