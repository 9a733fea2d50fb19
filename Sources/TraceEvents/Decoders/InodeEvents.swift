/// Class `btrfs__inode`: `btrfs_inode_new`, `btrfs_inode_request`, `btrfs_inode_evict`.
/// 6.x `"root=%llu(%s) gen=%llu ino=%llu blocks=%llu disk_i_size=%llu last_trans=%llu logged_trans=%llu"`;
/// ≤4.1 the same with ` = ` separators and no fsid prefix. `btrfs_inode_request` names the
/// parent directory, not the new file.
enum InodeEvents {
    static func inode(_ kind: InodeEvent.Kind, fields f: PayloadFields) -> AccountingEvent? {
        guard let root = f.unsigned("root") ?? f.unsigned("root_objectid"), let ino = f.unsigned("ino") else { return nil }
        return .inode(InodeEvent(kind: kind, root: root, inode: ino))
    }
}
