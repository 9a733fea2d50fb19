import TraceEvents

/// I1 (outstanding extents) and I3 (ordered extents): replay per inode.
extension Ledger {
    // MARK: I1

    mutating func outstandingChanged(_ key: InodeKey, _ c: OutstandingExtentsChange, _ ref: EventRef) {
        // In place (one lookup); neither the checks nor `window` read `inodes`.
        let (previousReported, snapshot) = modifyInode(key) { state -> (UInt64?, InodeOutstanding?) in
            state.outstanding.add(c.mod, ref)
            let previous = state.lastReportedOutstanding
            if let reported = c.outstanding { state.lastReportedOutstanding = reported }
            // Hot path: its checks (DIO030, DIO040) look only at a printed value or a sum below zero.
            return (previous, c.outstanding != nil || state.outstanding.sum < 0 ? InodeOutstanding(state) : nil)
        }
        if let snapshot { emit(.outstandingChanged(snapshot, c, ref, previousReported: previousReported)) }
        if let id = window(ref.pid, inode: key) {
            withIO(id) { io in
                io.outstanding &+= c.mod
                io.chain.append(ref)
            }
        } else if c.mod < 0 {
            // btrfs_remove_ordered_extent drops one outstanding extent just before its
            // btrfs_ordered_extent_remove event; only the latest such change of a task is kept
            // (other releases, e.g. writeback clearing delalloc, are not followed by a remove).
            modifyInode(key) { $0.pendingRemoveMods[TaskKey(ref.pid)] = (c.mod, ref) }
        }
    }

    // MARK: I3

    mutating func orderedExtent(_ key: InodeKey, _ oe: OrderedExtentEvent, _ ref: EventRef) {
        switch oe.step {
        case .add:
            writebackStep(ref)
            let io = window(ref.pid, inode: key)
            if let io {
                let direct = oe.flags.contains(.direct)
                withIO(io) { state in
                    state.openOrderedExtents += 1
                    state.createdOrderedExtents += 1
                    state.chain.append(ref)
                    if direct {
                        state.isDirect = true
                        state.direction = .write
                    } else {
                        // A non-DIRECT ordered extent inside a direct-I/O window is writeback of dirty page
                        // cache over the range (iomap flushes it first; generic/095's mmap and buffered
                        // writers leave some). Its outstanding-extent changes belong to other writers.
                        state.sawWriteback = true
                    }
                }
                if direct { directWriters.insert(PidInode(pid: ref.pid, inode: key.inode)) }
            }
            var chain = EventChain()
            chain.append(ref)
            let entry = OrderedExtentState(
                fileOffset: oe.fileOffset, length: oe.length, remaining: oe.length, diskStart: oe.diskStart,
                flags: oe.flags, added: ref, io: io, chain: chain)
            modifyInode(key) { state in
                state.orderedExtentsAdded += 1
                state.openOrderedExtents.append(entry)
            }
        case .remove:
            sawOrderedExtentRemove = true
            chargeMetadataConsumption(pid: ref.pid, FilesystemInode(filesystem: key.filesystem, inode: key.inode))
            // The inode's part in place (one lookup, no move of its state out and back), then the
            // I/O's: neither `withIO` nor the checks read `inodes`.
            let outcome = modifyInode(key) { state -> (pending: (Int64, EventRef)?, io: Int?, finished: Bool, matched: Bool) in
                let pending = state.pendingRemoveMods.removeValue(forKey: TaskKey(ref.pid))
                // Exact match first; a split-off piece (6.x btrfs_split_ordered_extent) is removed with no
                // add of its own and matches the extent it was cut from by range.
                let exact = state.openOrderedExtents.lastIndex(where: { $0.fileOffset == oe.fileOffset && $0.remaining == oe.length })
                    ?? state.openOrderedExtents.lastIndex(where: { $0.fileOffset == oe.fileOffset })
                guard let index = exact ?? state.openOrderedExtents.lastIndex(where: {
                    $0.fileOffset <= oe.fileOffset && oe.fileOffset < $0.fileOffset &+ max($0.length, 1)
                }) else { return (pending, nil, false, false) }
                let remaining = state.openOrderedExtents[index].remaining
                state.openOrderedExtents[index].remaining = remaining > oe.length ? remaining - oe.length : 0
                state.openOrderedExtents[index].chain.append(ref)
                let io = state.openOrderedExtents[index].io
                let finished = state.openOrderedExtents[index].remaining == 0
                if finished { state.openOrderedExtents.remove(at: index) }
                return (pending, io, finished, true)
            }
            guard outcome.matched else {
                if let state = inodes[key] { emit(.unmatchedOrderedExtentRemove(state, oe, ref)) }
                break
            }
            if let io = outcome.io {
                withIO(io) { state in
                    if let pending = outcome.pending {
                        state.outstanding &+= pending.0
                        state.chain.append(pending.1)
                    }
                    state.chain.append(ref)
                }
                if outcome.finished {
                    withIO(io) { $0.openOrderedExtents -= 1 }
                    evaluateIO(io)
                }
            }
        default:
            break
        }
    }
}
