public import TraceEvents

/// A kernel warning from the log given with `--dmesg`, reduced to what ties it to the trace.
public struct KernelWarning: Sendable, Equatable {
    public var title: String
    public var file: String
    public var line: Int
    /// printk time in nanoseconds (the trace's `local` clock on the same boot).
    public var timestamp: UInt64?
    public var pid: Int32?
    public var comm: String?
    /// Functions of the report: its frames and the function its header names.
    public var functions: Set<String>
    /// The space type a space_info dump after the warning names (`space_info DATA has ...`,
    /// 6.1: `space_info 1 has ...`), for warnings in `check_removing_space_info`.
    public var space: SpaceKind?

    public init(title: String, file: String, line: Int, timestamp: UInt64?, pid: Int32?, comm: String?,
                functions: Set<String>, space: SpaceKind?) {
        self.title = title
        self.file = file
        self.line = line
        self.timestamp = timestamp
        self.pid = pid
        self.comm = comm
        self.functions = functions
        self.space = space
    }

    /// A warning while one inode is torn down (`btrfs_destroy_inode` checks its reservations).
    public var isInodeTeardown: Bool {
        !functions.isDisjoint(with: KernelWarningLink.inodeTeardownFunctions) || title.contains("btrfs_destroy_inode")
    }

    /// A warning while the filesystem is torn down at unmount (space_info checks).
    public var isFilesystemTeardown: Bool {
        !functions.isDisjoint(with: KernelWarningLink.filesystemTeardownFunctions) || title.contains("btrfs_free_block_groups")
            || title.contains("check_removing_space_info")
    }
}

/// Ties kernel warnings to the trace: a warning in the inode teardown goes to the inode whose
/// `btrfs_inode_evict` by the same task immediately precedes it (printk and the trace share the
/// local clock, and btrfs_destroy_inode runs after btrfs_evict_inode); a warning about space at
/// unmount goes to the `bytes_may_use` finding (DIO020) of that space type. Where the trace
/// alone proved nothing, the warning becomes an error finding (DIO060) on that inode with its
/// direct-I/O history, the failing writes first.
public enum KernelWarningLink {
    static let inodeTeardownFunctions: Set<String> = ["btrfs_destroy_inode", "btrfs_qgroup_check_reserved_leak", "btrfs_evict_inode"]
    static let filesystemTeardownFunctions: Set<String> = ["check_removing_space_info", "btrfs_free_block_groups", "close_ctree",
                                                           "btrfs_put_super", "btrfs_put_block_group"]
    /// The checks at unmount that find space still accounted (bytes_may_use, bytes_reserved, pinned).
    static let spaceCheckFunctions: Set<String> = ["check_removing_space_info", "btrfs_free_block_groups", "btrfs_put_block_group"]
    /// Longest time from an eviction to a warning about it.
    static let maximumGap: UInt64 = 10_000_000_000

    static let inodeRules: Set<String> = ["DIO001", "DIO002", "DIO003", "DIO004", "DIO010", "DIO032", "DIO060"]

    public static func link(_ warnings: [KernelWarning], into report: AnalysisReport) -> AnalysisReport {
        var result = report
        for w in warnings {
            if w.isInodeTeardown {
                linkToInode(w, &result)
            } else if w.isFilesystemTeardown {
                linkToFilesystem(w, &result)
            }
        }
        return result
    }

    /// The eviction by the warning's task that immediately precedes it.
    static func precedingEviction(_ w: KernelWarning, in evictions: [InodeEviction]) -> (InodeEviction, UInt64?)? {
        var best: (InodeEviction, UInt64?)?
        for e in evictions {
            if let pid = w.pid {
                guard e.event.pid == pid else { continue }
            } else if let comm = w.comm {
                guard e.event.task == comm else { continue }
            } else {
                continue
            }
            guard let wt = w.timestamp, let et = e.event.timestamp else {
                // No clock to order by: only an unambiguous task will do.
                if best != nil { return nil }
                best = (e, nil)
                continue
            }
            guard et <= wt, wt - et <= maximumGap else { continue }
            if let (b, _) = best, let bt = b.event.timestamp, bt > et { continue }
            best = (e, wt - et)
        }
        return best
    }

    static func describe(gap: UInt64?) -> String {
        guard let gap else { return "" }
        if gap < 10_000 { return "\(gap) ns" }
        if gap < 10_000_000 { return "\(gap / 1000) µs" }
        return "\(gap / 1_000_000) ms"
    }

    static func linkToInode(_ w: KernelWarning, _ result: inout AnalysisReport) {
        guard let (eviction, gap) = precedingEviction(w, in: result.evictions) else { return }
        let e = eviction.event
        let reason = "same task \(e.task)-\(e.pid), \(gap.map { describe(gap: $0) + " after" } ?? "after") its btrfs_inode_evict of inode \(eviction.inode) at \(e.file):\(e.line)"
        let attached = AttachedReport(title: w.title, file: w.file, line: w.line, reason: reason)
        let onInode = result.findings.indices.filter {
            let f = result.findings[$0]
            return f.filesystem == eviction.filesystem && f.inode == eviction.inode && (f.root == nil || f.root == eviction.root)
                && inodeRules.contains(f.rule.id)
        }
        if onInode.contains(where: { result.findings[$0].severity == .error }) {
            for i in onInode { result.findings[i].reports.append(attached) }
            return
        }
        if let i = onInode.first(where: { result.findings[$0].rule.id == Rule.kernelWarnedAtTeardown.id }) {
            result.findings[i].reports.append(attached)
            return
        }
        var events: [EventReference] = []
        for r in eviction.history {
            events.append(r.begin)
            if let end = r.end { events.append(end) }
        }
        events.append(e)
        var message = "The kernel warned (\(w.title)) while tearing down inode \(eviction.inode) (root \(eviction.root)), right after its eviction; the trace alone does not show which reservation was left."
        let failing = eviction.history.filter(\.failed)
        if let first = failing.first {
            message += " Its direct-I/O writes failed \(failing.count) time\(failing.count == 1 ? "" : "s"), first by \(first.io.task)-\(first.io.pid)"
            if let o = first.io.offset, let l = first.io.length { message += " at [\(o), +\(l))" }
            if let r = first.io.result { message += " returning \(r)" }
            message += ": an error path that skipped its release is the likely leak (the 50745b0a7f46 class)."
        } else if !eviction.history.isEmpty {
            var writers: [String] = []
            for r in eviction.history where !writers.contains("\(r.io.task)-\(r.io.pid)") { writers.append("\(r.io.task)-\(r.io.pid)") }
            message += " Its last \(eviction.history.count) traced direct-I/O write\(eviction.history.count == 1 ? "" : "s") (by \(writers.joined(separator: ", "))) show no error result."
        }
        var finding = Finding(rule: .kernelWarnedAtTeardown, filesystem: eviction.filesystem, root: eviction.root, inode: eviction.inode,
                              amount: nil, message: message, events: events)
        finding.io = failing.first?.io
        finding.reports = [attached]
        result.findings.append(finding)
    }

    static func linkToFilesystem(_ w: KernelWarning, _ result: inout AnalysisReport) {
        // The filesystem: the one whose inodes the warning's task evicted last before it.
        let filesystem = precedingEviction(w, in: result.evictions)?.0.filesystem
        let reason = "warning at unmount" + (w.space.map { " about \($0.name) space" } ?? "")
        let attached = AttachedReport(title: w.title, file: w.file, line: w.line, reason: reason)
        // A warning whose space_info dump names the type goes to that type's bytes_may_use finding.
        if let space = w.space {
            let candidates = result.findings.indices.filter {
                let f = result.findings[$0]
                return f.rule.id == Rule.heldAtUnmount.id && (filesystem == nil || f.filesystem == filesystem)
                    && f.message.hasPrefix(space.name + " ")
            }
            if !candidates.isEmpty {
                for i in candidates { result.findings[i].reports.append(attached) }
                return
            }
        }
        let isSpaceCheck = !w.functions.isDisjoint(with: spaceCheckFunctions)
            || spaceCheckFunctions.contains { w.title.contains($0) }
        guard isSpaceCheck else { return }
        // Otherwise (bytes_reserved, pinned, or an unnamed type): one filesystem-wide DIO060 per type.
        let space = w.space?.name ?? "block groups"
        let marker = "about \(space) "
        if let i = result.findings.indices.first(where: {
            let f = result.findings[$0]
            return f.rule.id == Rule.kernelWarnedAtTeardown.id && f.inode == nil && f.filesystem == filesystem && f.message.contains(marker)
        }) {
            result.findings[i].reports.append(attached)
            return
        }
        var finding = Finding(rule: .kernelWarnedAtTeardown, filesystem: filesystem, root: nil, inode: nil, amount: nil,
                              message: "The kernel warned at unmount \(marker)(\(w.title)): space was still accounted (bytes_may_use, bytes_reserved or bytes_pinned) that the trace's balances do not show; bytes_reserved of data extents is not observable from the trace.",
                              events: [])
        finding.reports = [attached]
        result.findings.append(finding)
    }
}
