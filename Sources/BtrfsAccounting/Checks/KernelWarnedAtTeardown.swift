extension Rule {
    /// A kernel warning at inode or filesystem teardown that no trace balance explains.
    public static let kernelWarnedAtTeardown = Rule(
        id: "DIO060", name: "kernel-warned-at-teardown", defaultSeverity: .error,
        shortDescription: "The kernel warned while tearing down an inode or the filesystem",
        fullDescription: "With --dmesg: a WARNING in btrfs_destroy_inode (or a space_info check at unmount) follows the eviction of this inode by the same task, but no balance of the trace proves the leak by itself (untraced events, or a reservation the ledger does not model). The finding lists the inode's direct-I/O writes, failing ones first.",
        help: "The kernel's own check failed: read its warning lines (block_rsv.reserved, csum_bytes, outstanding_extents) and the failing write's error path.")
}
