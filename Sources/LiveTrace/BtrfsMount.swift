#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Identifies a mounted btrfs: the fsid its tracepoints print.
public enum BtrfsMount {
    /// `_IOR(BTRFS_IOCTL_MAGIC, 31, struct btrfs_ioctl_fs_info_args)` (1024-byte argument).
    static let fsInfoRequest: UInt = 0x8400_941F

    /// The fsid (`0fcf8427-9ad4-4ce5-b75e-e7710cafd5f1`) of the btrfs mounted at or containing
    /// `path`, read with the `BTRFS_IOC_FS_INFO` ioctl (what tracepoints print as the fsid).
    /// - Throws: `.system` when the path cannot be opened, `.unexpectedContent` when it is not btrfs.
    public static func fsid(of path: String) throws(LiveTraceError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .system(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var args = [UInt8](repeating: 0, count: 1024)
        let rc = args.withUnsafeMutableBytes { ioctl(fd, fsInfoRequest, $0.baseAddress!) }
        if rc != 0 {
            let e = errno
            if e == ENOTTY || e == EINVAL || e == EOPNOTSUPP {
                throw .unexpectedContent(path: path, content: "not on a btrfs filesystem")
            }
            throw .system(call: "ioctl(BTRFS_IOC_FS_INFO)", path: path, errno: e)
        }
        // struct btrfs_ioctl_fs_info_args { __u64 max_id; __u64 num_devices; __u8 fsid[16]; ... }
        let hex = args[16..<32].map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }
}
