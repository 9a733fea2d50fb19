import TraceEvents

/// Eviction: the moment an inode's balances must be zero.
extension Ledger {
    // MARK: eviction

    mutating func evict(_ key: InodeKey, _ ref: EventRef) {
        // Windows of this inode that can no longer change.
        for (id, io) in ios where io.inode == key || (io.inode == nil && io.inodeNumber == key.inode) {
            if io.source == .taskWindow {
                ios[id]?.ended = true
                ios[id]?.end = ref
                if windowByPid[io.pid] == id { windowByPid[io.pid] = nil }
            }
            ios[id]?.openOrderedExtents = 0
        }
        for id in ios.keys.sorted() { evaluateIO(id) }
        let state = inodes.removeValue(forKey: key) ?? InodeState(key: key)
        timeline?.evicted(key, ref)
        let lossy = state.sawDataLossSinceStart || (!state.baselineKnown && lossSeen)
        let meta = metadata.removeValue(forKey: FilesystemInode(filesystem: key.filesystem, inode: key.inode))
        emit(.inodeEvicted(EvictedInode(state: state, metadata: meta, evict: ref, lossy: lossy)))
        balances.append(balance(state, meta: meta, evicted: true))
        if evictions.count >= 2 * Self.evictionLimit { evictions.removeFirst(Self.evictionLimit) }
        let history = state.history.filter(\.failed) + state.history.filter { !$0.failed }
        evictions.append(InodeEviction(filesystem: key.filesystem, root: key.root, inode: key.inode, event: reference(ref), history: history))
    }

    /// Adds a finished direct-I/O write to its inode's history.
    mutating func remember(_ io: IOState) {
        let key = io.inode ?? io.inodeNumber.flatMap { n in
            inodes.keys.filter { $0.inode == n && $0.filesystem == lastFilesystem }.min(by: Self.order)
        }
        guard let key, inodes[key] != nil else { return }
        let record = InodeIORecord(io: io.description, begin: reference(io.begin), end: io.end.map(reference))
        inodes[key]?.remember(record)
    }

    func balance(_ state: InodeState, meta: MetadataBalance?, evicted: Bool) -> InodeBalance {
        InodeBalance(filesystem: state.key.filesystem, root: state.key.root, inode: state.key.inode,
                     outstandingExtents: state.outstanding.sum, metadataReserved: meta?.balance.sum ?? 0,
                     openOrderedExtents: state.openOrderedExtents.count, orderedExtentsAdded: state.orderedExtentsAdded,
                     qgroupDataReserved: state.qgroupData.sum, evicted: evicted, baseline: state.baselineKnown ? .known : .unknown)
    }
}
