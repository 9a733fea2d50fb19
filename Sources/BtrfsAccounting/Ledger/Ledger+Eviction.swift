import TraceEvents

/// Eviction: the moment an inode's balances must be zero.
extension Ledger {
    // MARK: eviction

    mutating func evict(_ key: InodeKey, _ ref: EventRef) {
        // Windows of this inode that can no longer change.
        for (id, io) in ios where io.inode == key || (io.inode == nil && io.inodeNumber == key.inode) {
            if io.source == .taskWindow {
                withIO(id) { io in
                    io.ended = true
                    io.end = ref
                }
                if windowByPid[TaskKey(io.pid)] == id { windowByPid[TaskKey(io.pid)] = nil }
            }
            withIO(id) { $0.openOrderedExtents = 0 }
        }
        for id in ios.keys.sorted() { evaluateIO(id) }
        let state = inodes.removeValue(forKey: key) ?? InodeState(key: key)
        timeline?.evicted(key, ref)
        let lossy = state.sawDataLossSinceStart || (!state.baselineKnown && lossSeen)
        let meta = metadata.removeValue(forKey: FilesystemInode(filesystem: key.filesystem, inode: key.inode))
        emit(.inodeEvicted(EvictedInode(state: state, metadata: meta, evict: ref, lossy: lossy)))
        balances.append(balance(state, meta: meta, evicted: true))
        if evictions.count >= 2 * Self.evictionLimit { evictions.removeFirst(Self.evictionLimit) }
        let history = (state.history.filter(\.failed) + state.history.filter { !$0.failed }).map { entry in
            InodeIORecord(io: entry.description, begin: reference(entry.begin), end: entry.end.map(reference))
        }
        evictions.append(InodeEviction(filesystem: key.filesystem, root: key.root, inode: key.inode, event: reference(ref), history: history))
    }

    /// Adds a finished direct-I/O write to its inode's history.
    mutating func remember(_ io: IOState) {
        let key = io.inode ?? io.inodeNumber.flatMap { n in
            inodes.keys.filter { $0.inode == n && $0.filesystem == lastFilesystem }.min(by: Self.order)
        }
        // In place by index: `inodes[key]?.` moves the whole state out and back.
        guard let key, let i = inodes.index(forKey: key) else { return }
        inodes.values[i].remember(IOHistoryEntry(io))
    }

    func balance(_ state: InodeState, meta: MetadataBalance?, evicted: Bool) -> InodeBalance {
        InodeBalance(filesystem: state.key.filesystem, root: state.key.root, inode: state.key.inode,
                     outstandingExtents: state.outstanding.sum, metadataReserved: meta?.balance.sum ?? 0,
                     openOrderedExtents: state.openOrderedExtents.count, orderedExtentsAdded: state.orderedExtentsAdded,
                     qgroupDataReserved: state.qgroupData.sum, evicted: evicted, baseline: state.baselineKnown ? .known : .unknown)
    }
}
