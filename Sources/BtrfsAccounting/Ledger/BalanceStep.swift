/// A balance the ledger keeps, as a finding's story and the timeline name it.
public enum BalanceKind: String, Sendable, CaseIterable {
    /// I1: `btrfs_inode_mod_outstanding_extents` sum (a count).
    case outstandingExtents = "outstanding extents"
    /// I2: the inode's delalloc metadata reservation (bytes).
    case metadataReserved = "metadata reserved"
    /// I6: data space reserved by a direct-I/O write (bytes_may_use DATA, bytes).
    case dataReserved = "data reserved"
    /// I3: ordered extents added and not yet removed (a count).
    case openOrderedExtents = "open ordered extents"
    /// I7: qgroup data reservation (bytes).
    case qgroupData = "qgroup data"
    /// I5: the filesystem's bytes_may_use of one space type (bytes).
    case bytesMayUse = "bytes_may_use"

    /// Counts are printed as numbers, byte balances in KiB/MiB.
    public var isCount: Bool { self == .outstandingExtents || self == .openOrderedExtents }
}

/// How one event moved one balance, as the ledger applied it. Most steps follow from the event
/// itself; `cause` says when the ledger charged the balance for something the event only implies
/// (MetadataBalance.swift: tree blocks and migrations to the delayed inode).
public struct BalanceStep: Sendable, Equatable {
    public enum Cause: String, Sendable, Equatable {
        case event
        case treeBlocks = "used for tree blocks"
        case migratedToDelayedInode = "moved to the delayed inode"
    }
    public var kind: BalanceKind
    public var delta: Int64
    public var cause: Cause

    public init(kind: BalanceKind, delta: Int64, cause: Cause = .event) {
        self.kind = kind
        self.delta = delta
        self.cause = cause
    }
}
