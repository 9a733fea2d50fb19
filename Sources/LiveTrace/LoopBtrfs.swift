#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A scratch btrfs on a loop device, for tests: sparse image in a temp directory,
/// `mkfs.btrfs -f`, `losetup`, `mount`, and a teardown that always runs (unmount, detach,
/// remove the directory), also when setup failed half-way.
///
/// ```swift
/// try LoopBtrfs.with { fs in
///     try runWorkload(in: fs.mountPoint)
/// }   // unmounted, detached and deleted here, also on throw
/// ```
public final class LoopBtrfs {
    /// The temp directory holding `btrfs.img` and `mnt/`.
    public let directory: String
    public let imagePath: String
    public let mountPoint: String
    /// `/dev/loopN` while attached.
    public private(set) var loopDevice: String?
    public private(set) var isMounted = false
    /// Problems met by `teardown()` (it does not throw); empty when it cleaned up fully.
    public private(set) var teardownProblems: [String] = []
    private var tornDown = false

    /// Why a loop btrfs cannot be made here (not root, no btrfs, missing tools), or nil.
    public static func unavailableReason() -> String? {
        if geteuid() != 0 { return "not root (effective uid \(geteuid()))" }
        let fs = (try? FileIO.readString("/proc/filesystems")) ?? ""
        if !fs.split(separator: "\n").contains(where: { $0.hasSuffix("\tbtrfs") }) {
            return "kernel has no btrfs (not in /proc/filesystems)"
        }
        for tool in ["mkfs.btrfs", "losetup", "mount", "umount"] where Command.which(tool) == nil {
            return "\(tool) not installed (apt-get install -y btrfs-progs util-linux)"
        }
        if !FileIO.exists("/dev/loop-control") { return "no /dev/loop-control" }
        return nil
    }

    /// Loop devices currently attached, device to backing file (from `/sys/block/loop*/loop`).
    public static func attachedLoopDevices() -> [String: String] {
        var out: [String: String] = [:]
        for entry in (try? FileIO.listDirectory("/sys/block")) ?? [] where entry.hasPrefix("loop") {
            if let backing = try? FileIO.readString("/sys/block/\(entry)/loop/backing_file") {
                out["/dev/\(entry)"] = FileIO.trimmed(backing)
            }
        }
        return out
    }

    /// Makes the image, the filesystem and the loop device, and mounts it unless `mount` is false.
    /// On any failure everything made so far is torn down before the error is thrown.
    public init(sizeBytes: Int64 = 1 << 30, mkfsArguments: [String] = [],
                mountOptions: [String] = [], mount: Bool = true) throws(LiveTraceError) {
        if let reason = LoopBtrfs.unavailableReason() {
            if geteuid() != 0 { throw .notRoot(operation: "LoopBtrfs") }
            throw .tracefsUnavailable(reason)
        }
        directory = try Command.makeTemporaryDirectory(prefix: "dio-loopbtrfs")
        imagePath = directory + "/btrfs.img"
        mountPoint = directory + "/mnt"
        do throws(LiveTraceError) {
            if mkdir(mountPoint, 0o755) != 0 { throw .system(call: "mkdir", path: mountPoint, errno: errno) }
            let fd = open(imagePath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            if fd < 0 { throw .system(call: "open", path: imagePath, errno: errno) }
            let r = ftruncate(fd, off_t(sizeBytes))
            let e = errno
            close(fd)
            if r != 0 { throw .system(call: "ftruncate", path: imagePath, errno: e) }
            try Command.check("mkfs.btrfs", ["-q", "-f"] + mkfsArguments + [imagePath])
            let dev = FileIO.trimmed(try Command.check("losetup", ["-f", "--show", imagePath]))
            guard dev.hasPrefix("/dev/loop") else {
                throw .unexpectedContent(path: "losetup -f --show", content: dev)
            }
            loopDevice = dev
            if mount { try self.mount(options: mountOptions) }
        } catch {
            teardown()
            throw error
        }
    }

    /// Mounts the loop device at `mountPoint`.
    public func mount(options: [String] = []) throws(LiveTraceError) {
        guard let loopDevice else { throw .system(call: "mount", path: mountPoint, errno: ENODEV) }
        var args = ["-t", "btrfs"]
        if !options.isEmpty { args += ["-o", options.joined(separator: ",")] }
        try Command.check("mount", args + [loopDevice, mountPoint])
        isMounted = true
    }

    /// Unmounts (evicting every inode: this is where `btrfs_inode_evict` by `umount` comes from).
    public func unmount() throws(LiveTraceError) {
        guard isMounted else { return }
        try Command.check("umount", [mountPoint])
        isMounted = false
    }

    /// Re-reads whether `mountPoint` is still mounted (`mountpoint -q`), for when something
    /// else unmounted it (a recorded command that ends with `umount`), so `teardown()` does not
    /// retry an unmount that cannot succeed.
    public func refreshMountState() {
        guard isMounted else { return }
        if let r = try? Command.run("mountpoint", ["-q", mountPoint]), r.status == 32 || r.status == 1 {
            isMounted = false
        }
    }

    /// Unmounts (retrying, then lazily), detaches the loop device and removes the directory.
    /// Idempotent and never throws; see `teardownProblems`.
    public func teardown() {
        if tornDown { return }
        tornDown = true
        if isMounted {
            var done = false
            for attempt in 0..<5 {
                if (try? Command.run("umount", [mountPoint]))?.succeeded == true { done = true; break }
                usleep(UInt32(200_000 * (attempt + 1)))
            }
            if !done {
                if (try? Command.run("umount", ["-l", mountPoint]))?.succeeded == true {
                    teardownProblems.append("\(mountPoint) busy: lazily unmounted")
                } else {
                    teardownProblems.append("could not unmount \(mountPoint)")
                }
            }
            isMounted = false
        }
        if let dev = loopDevice {
            var done = false
            for attempt in 0..<5 {
                if (try? Command.run("losetup", ["-d", dev]))?.succeeded == true { done = true; break }
                usleep(UInt32(200_000 * (attempt + 1)))
            }
            if !done { teardownProblems.append("could not detach \(dev)") }
            loopDevice = nil
        }
        Command.removeTree(directory)
    }

    deinit { teardown() }

    /// Runs `body` with a mounted loop btrfs and tears it down afterwards, also when `body` throws.
    public static func with<T>(sizeBytes: Int64 = 1 << 30, mkfsArguments: [String] = [],
                               mountOptions: [String] = [],
                               _ body: (LoopBtrfs) throws -> T) throws -> T {
        let fs = try LoopBtrfs(sizeBytes: sizeBytes, mkfsArguments: mkfsArguments, mountOptions: mountOptions)
        defer { fs.teardown() }
        return try body(fs)
    }
}
