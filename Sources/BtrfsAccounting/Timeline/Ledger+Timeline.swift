import TraceEvents

extension Ledger {
    /// Samples the balances of the inode `event` concerns, after the ledger applied it.
    func recordSample(_ event: TraceEvent, _ fs: FilesystemID?, _ timeline: TimelineRecorder) {
        guard let t = event.timestamp else { return }
        if event.cpu >= 0 { timeline.cpuTime[event.cpu] = t }
        let key: InodeKey?
        switch event.payload {
        case .outstandingExtents(let c): key = InodeKey(filesystem: fs, root: c.root, inode: c.inode)
        case .orderedExtent(let o) where o.step == .add || o.step == .remove: key = InodeKey(filesystem: fs, root: o.root, inode: o.inode)
        case .spaceReservation(let r) where r.kind == .delalloc:
            key = InodeKey(filesystem: fs, root: timeline.root(of: FilesystemInode(filesystem: fs, inode: r.value)), inode: r.value)
        case .spaceInfoUpdate(let u) where u.space == .data:
            key = windowByPid[TaskKey(event.pid)].flatMap { ios[$0]?.inode }
        case .directIOEnd, .probe:
            key = timeline.lastWindowInode.removeValue(forKey: event.pid)
        case .inode(let i) where i.kind == .new:
            timeline.mounted(fs)
            key = nil
        default: key = nil
        }
        if let id = windowByPid[TaskKey(event.pid)], let k = ios[id]?.inode { timeline.lastWindowInode[event.pid] = k }
        guard let key, inodes[key] != nil || metadata[FilesystemInode(filesystem: key.filesystem, inode: key.inode)] != nil else { return }
        timeline.rememberRoot(key)
        let state = inodes[key]
        var data: Int64 = 0
        if let id = windowByPid[TaskKey(event.pid)], let io = ios[id], io.inode == key { data = io.data }
        timeline.sample(key, Timeline.Sample(
            timestamp: t, outstandingExtents: state?.outstanding.sum ?? 0,
            metadataReserved: metadata[FilesystemInode(filesystem: key.filesystem, inode: key.inode)]?.balance.sum ?? 0,
            dataReserved: data, openOrderedExtents: Int64(state?.openOrderedExtents.count ?? 0)))
    }
}
