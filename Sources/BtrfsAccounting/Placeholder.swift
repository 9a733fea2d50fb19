// BtrfsAccounting
