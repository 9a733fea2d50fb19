/// Class `btrfs__inode`: `btrfs_inode_new`, `btrfs_inode_request`, `btrfs_inode_evict`.
/// 6.x `"root=%llu(%s) gen=%llu ino=%llu blocks=%llu disk_i_size=%llu last_trans=%llu logged_trans=%llu"`;
/// ≤4.1 the same with ` = ` separators and no fsid prefix. `btrfs_inode_request` names the
/// parent directory, not the new file.
enum InodeEvents {
    /// Fields: `ino`, `blocks`, `disk_i_size`, `generation`, `last_trans`, `logged_trans`, `root_objectid`.
    enum Key {
        static var root: FieldKey { FieldKey(0, "root", "root_objectid") }
        static var inode: FieldKey { FieldKey(1, "ino") }
        static let all = [root, inode]
    }

    static func inode(_ kind: InodeEvent.Kind, fields f: some EventFields) -> AccountingEvent? {
        guard let root = f.unsigned(Key.root), let ino = f.unsigned(Key.inode) else { return nil }
        return .inode(InodeEvent(kind: kind, root: root, inode: ino))
    }
}
