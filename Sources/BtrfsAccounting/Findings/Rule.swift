/// A check with a stable ID. IDs are external contracts (JSON `rule`, SARIF `ruleId`, JUnit
/// names): never rename one; add a new rule instead.
public struct Rule: Sendable, Hashable {
    public let id: String
    public let name: String
    public let defaultSeverity: Severity
    public let shortDescription: String
    public let fullDescription: String
    public let help: String
}

extension Rule {
    /// `btrfs_destroy_inode` would warn: `WARN_ON(inode->outstanding_extents)` (4.x: the same field).
    public static let leakAtEvictOutstandingExtents = Rule(
        id: "DIO001", name: "leak-at-evict/outstanding-extents", defaultSeverity: .error,
        shortDescription: "Outstanding extents left when the inode was evicted",
        fullDescription: "The replayed btrfs_inode_mod_outstanding_extents sum of the inode is not zero at btrfs_inode_evict. btrfs_destroy_inode checks WARN_ON(inode->outstanding_extents); a reservation was made for an extent that never completed or was never released.",
        help: "Find the I/O whose reservation was not released (the events listed); on 4.x kernels this is the generic/095 leak fixed by 50745b0a7f46.")
    /// `WARN_ON(inode->block_rsv.reserved)` / 4.x delalloc metadata reservation at evict.
    public static let leakAtEvictMetadata = Rule(
        id: "DIO002", name: "leak-at-evict/metadata-reservation", defaultSeverity: .error,
        shortDescription: "Inode metadata reservation still held at eviction",
        fullDescription: "The inode's delalloc metadata reservation (btrfs_space_reservation type delalloc) did not return to zero by btrfs_inode_evict on a kernel where this balance is exact (4.x, before the per-inode block_rsv). btrfs_destroy_inode warns about it.",
        help: "Look for a reserve without a matching release by the same task, typically on an I/O error path.")
    /// Leftover ordered extents at evict: `"found ordered extent %llu %llu on inode cleanup"`.
    public static let leakAtEvictOrderedExtent = Rule(
        id: "DIO003", name: "leak-at-evict/ordered-extent", defaultSeverity: .error,
        shortDescription: "Ordered extent still open when the inode was evicted",
        fullDescription: "An ordered extent added with btrfs_ordered_extent_add was never removed before btrfs_inode_evict. btrfs_destroy_inode prints 'found ordered extent ... on inode cleanup'.",
        help: "The ordered extent's completion (btrfs_finish_ordered_io) never ran; check the bio/end_io path of the I/O that created it.")
    /// `btrfs_qgroup_check_reserved_leak`.
    public static let leakAtEvictQgroup = Rule(
        id: "DIO004", name: "leak-at-evict/qgroup-reserved", defaultSeverity: .note,
        shortDescription: "qgroup data reservation of the inode not released at eviction",
        fullDescription: "btrfs_qgroup_reserve_data reserved bytes for the inode that no btrfs_qgroup_release_data released before btrfs_inode_evict. Changeset frees (btrfs_free_reserved_data_space on DIO error and unused-tail paths) emit no event, so healthy kernels leave a residue here: reported as a note, never an error.",
        help: "Compare with qgroup_update_reserve for the subvolume's qgroup; a kernel leak prints 'leaking qgroup reserved space'.")
    /// A reservation made inside one I/O and still held after it finished.
    public static let reservationOutlivedIO = Rule(
        id: "DIO010", name: "reservation-outlived-io", defaultSeverity: .error,
        shortDescription: "A reservation made by a direct-I/O write outlived the I/O",
        fullDescription: "Inside the I/O window of one direct-I/O write (task, inode, range), space was reserved (outstanding extents or data bytes_may_use) and not released when the write had returned and all of its ordered extents had been removed.",
        help: "This is the class of bug fixed by 50745b0a7f46 'Btrfs: Direct I/O: Fix space accounting': an error path (for example -EFAULT from a splice source) skipped btrfs_delalloc_release_space.")
    /// Filesystem-wide space_info balances not back to zero when the trace ends after umount.
    public static let heldAtUnmount = Rule(
        id: "DIO020", name: "held-at-unmount/bytes-may-use", defaultSeverity: .error,
        shortDescription: "space_info bytes_may_use not zero after unmount",
        fullDescription: "The absolute bytes_may_use value carried by update_bytes_may_use (old + diff) is not zero after the filesystem's last event of an unmount. btrfs_free_block_groups warns WARN_ON(space_info->bytes_may_use > 0).",
        help: "A data or metadata reservation was never released; the inode findings name the owner when the trace can.")
    /// Per-inode balance still non-zero at the end of the trace without eviction.
    public static let heldAtEndOfTrace = Rule(
        id: "DIO021", name: "held-at-end-of-trace", defaultSeverity: .warning,
        shortDescription: "Reservation still held when the trace ended",
        fullDescription: "The inode still had outstanding extents or open ordered extents when the trace ended and the inode was not evicted. This is normal if the trace stopped while I/O was in flight; it is a leak if the filesystem was unmounted afterwards.",
        help: "Capture through umount to let dio-trace decide.")
    /// Release without a reservation (with a known baseline).
    public static let releasedMoreThanReserved = Rule(
        id: "DIO030", name: "released-more-than-reserved", defaultSeverity: .error,
        shortDescription: "More released than reserved",
        fullDescription: "The inode was created inside the trace (so its starting balance is known to be zero) and its outstanding-extent count went below zero, or an ordered extent was removed that was never added.",
        help: "A double release corrupts the reservation accounting; the kernel warns in btrfs_mod_outstanding_extents or later in destroy_inode.")
    /// Ordered extent added and never finished, trace continues.
    public static let orderedExtentNeverFinished = Rule(
        id: "DIO031", name: "ordered-extent-never-finished", defaultSeverity: .warning,
        shortDescription: "Ordered extent never finished",
        fullDescription: "An ordered extent was added and not removed by the end of the trace, although the trace continued for more than the completion grace period.",
        help: "Its bio never completed or btrfs_finish_ordered_io never ran.")
    /// 6.12+ `outstanding=` disagrees with the replayed sum.
    public static let outstandingMismatch = Rule(
        id: "DIO040", name: "outstanding-value-mismatch", defaultSeverity: .warning,
        shortDescription: "Kernel-reported outstanding extents disagree with the replay",
        fullDescription: "btrfs_inode_mod_outstanding_extents printed outstanding=N (6.12+), which differs from the value replayed from the events before it: an event was missed (lost events, a filtered CPU) or tracing started mid-flight.",
        help: "Check for lost events; later findings on this inode are less certain.")
    /// I2 below zero on a kernel where it is exact.
    public static let metadataReleasedMoreThanReserved = Rule(
        id: "DIO032", name: "metadata-released-more-than-reserved", defaultSeverity: .warning,
        shortDescription: "More metadata reservation released than reserved",
        fullDescription: "On a trace where the inode's metadata reservation is exact (4.x, or 5.x/6.x with the btrfs work-item events that bound ordered-extent completion), the inode released or used more of its block reservation than it reserved: a reservation event is missing from the trace, or the kernel released twice.",
        help: "Check for lost events first; a double release shows in the kernel as a later WARN in btrfs_destroy_inode or an underflow of block_rsv.reserved.")
    /// A running value printed by the kernel does not follow from the events before it.
    public static let kernelValueMismatch = Rule(
        id: "DIO041", name: "kernel-value-chain-break", defaultSeverity: .warning,
        shortDescription: "A value the kernel prints does not follow from the events before it",
        fullDescription: "update_bytes_may_use prints old= (the space_info's bytes_may_use before the change) and qgroup_update_reserve prints cur_reserved=; each must equal the previous event's value plus its change. A break means an event is missing from the trace (filtered, lost without a marker, or cut out) or an extra one is in it. Events of one timestamp that arrive permuted across CPUs are reordered, not reported.",
        help: "Balances that depend on the missing event are not exact; look for trace filters or lost events around the named lines.")
    /// A kernel warning at inode or filesystem teardown that no trace balance explains.
    public static let kernelWarnedAtTeardown = Rule(
        id: "DIO060", name: "kernel-warned-at-teardown", defaultSeverity: .error,
        shortDescription: "The kernel warned while tearing down an inode or the filesystem",
        fullDescription: "With --dmesg: a WARNING in btrfs_destroy_inode (or a space_info check at unmount) follows the eviction of this inode by the same task, but no balance of the trace proves the leak by itself (untraced events, or a reservation the ledger does not model). The finding lists the inode's direct-I/O writes, failing ones first.",
        help: "The kernel's own check failed: read its warning lines (block_rsv.reserved, csum_bytes, outstanding_extents) and the failing write's error path.")
    /// Lost events lower confidence.
    public static let dataLoss = Rule(
        id: "DIO050", name: "trace-data-loss", defaultSeverity: .warning,
        shortDescription: "The trace lost events",
        fullDescription: "The trace reports lost or overwritten events (LOST N EVENTS, EVENTS DROPPED, buffer started, or fewer entries in the buffer than written). Balances that span the gap are not exact; findings on them are lowered to warnings.",
        help: "Enlarge buffer_size_kb or trace fewer events.")

    /// Every rule, in ID order.
    public static let all: [Rule] = [
        .leakAtEvictOutstandingExtents, .leakAtEvictMetadata, .leakAtEvictOrderedExtent, .leakAtEvictQgroup,
        .reservationOutlivedIO, .heldAtUnmount, .heldAtEndOfTrace, .releasedMoreThanReserved,
        .orderedExtentNeverFinished, .metadataReleasedMoreThanReserved, .outstandingMismatch, .kernelValueMismatch, .kernelWarnedAtTeardown, .dataLoss,
    ]
}
