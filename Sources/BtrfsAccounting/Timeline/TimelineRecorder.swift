import TraceEvents

/// Collects the `Timeline` while the ledger replays: one sample per event that moves an inode
/// balance, thinned to `samplesPerTrack`; windows and marks up to their caps. Owned by one
/// ledger (a class so that the ledger, a value type, does not copy it per event).
final class TimelineRecorder {
    static let samplesPerTrack = 4096
    static let trackLimit = 4096
    static let windowLimit = 50_000
    static let markLimit = 50_000

    private(set) var timeline = Timeline()
    private var trackIndex: [FilesystemInode: Int] = [:]
    private var unmounted: Set<FilesystemInode> = []
    let fileNames: [String]
    /// Trace-clock time of each CPU's latest event (lost events happened after it).
    var cpuTime: [Int32: UInt64] = [:]
    /// The inode of each task's open direct-I/O window, sampled once more when the window ends.
    var lastWindowInode: [Int32: InodeKey] = [:]
    private var roots: [FilesystemInode: UInt64] = [:]

    /// `delalloc` reservations name the inode number only: the root last seen with it (5, the
    /// default subvolume, before any).
    func root(of inode: FilesystemInode) -> UInt64 { roots[inode] ?? 5 }
    func rememberRoot(_ key: InodeKey) { roots[FilesystemInode(filesystem: key.filesystem, inode: key.inode)] = key.root }

    init(fileNames: [String]) { self.fileNames = fileNames }

    func file(_ ref: EventRef) -> String { Int(ref.file) < fileNames.count ? fileNames[Int(ref.file)] : "?" }

    func sample(_ key: InodeKey, _ s: Timeline.Sample) {
        let fi = FilesystemInode(filesystem: key.filesystem, inode: key.inode)
        let index: Int
        if let i = trackIndex[fi] {
            index = i
        } else {
            guard timeline.tracks.count < Self.trackLimit else { timeline.droppedTracks += 1; return }
            index = timeline.tracks.count
            trackIndex[fi] = index
            timeline.tracks.append(Timeline.Track(filesystem: key.filesystem, root: key.root, inode: key.inode, samples: [], thinned: 0))
        }
        if let last = timeline.tracks[index].samples.last, last == s { return }
        timeline.tracks[index].samples.append(s)
        if timeline.tracks[index].samples.count >= Self.samplesPerTrack { thin(index) }
    }

    /// Keeps every other sample and the latest one.
    private func thin(_ index: Int) {
        let samples = timeline.tracks[index].samples
        var kept = samples.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        if let last = samples.last, kept.last != last { kept.append(last) }
        timeline.tracks[index].thinned += samples.count - kept.count
        timeline.tracks[index].samples = kept
    }

    func window(_ io: IOState, filesystem: FilesystemID?) {
        let failed = IOHistoryEntry(io).failed
        // Full: failed writes still get in (up to twice the cap), they are what the report is about.
        guard timeline.windows.count < Self.windowLimit || (failed && timeline.windows.count < 2 * Self.windowLimit) else {
            timeline.droppedWindows += 1
            return
        }
        guard let begin = io.begin.timestamp else { return }
        timeline.windows.append(Timeline.IOWindow(filesystem: io.inode?.filesystem ?? filesystem, inode: io.inode?.inode ?? io.inodeNumber,
                                                  io: io.description, begin: begin, end: io.end?.timestamp, failed: failed,
                                                  file: file(io.begin), line: io.begin.line))
    }

    func mark(_ m: Timeline.Mark) {
        guard timeline.marks.count < Self.markLimit else { timeline.droppedMarks += 1; return }
        timeline.marks.append(m)
    }

    func evicted(_ key: InodeKey, _ ref: EventRef) {
        let t = ref.timestamp ?? 0
        mark(Timeline.Mark(kind: .eviction, filesystem: key.filesystem, inode: key.inode, begin: t, end: t,
                           text: "inode \(key.inode) evicted by \(ref.comm)-\(ref.pid)", file: file(ref), line: ref.line))
        if ref.comm == "umount", unmounted.insert(FilesystemInode(filesystem: key.filesystem, inode: 0)).inserted {
            mark(Timeline.Mark(kind: .unmount, filesystem: key.filesystem, inode: nil, begin: t, end: t,
                               text: "unmount (umount-\(ref.pid) evicts the inodes)", file: file(ref), line: ref.line))
        }
    }

    func mounted(_ fs: FilesystemID?) { unmounted.remove(FilesystemInode(filesystem: fs, inode: 0)) }

    func lost(_ loss: DataLoss, since: UInt64?, at ref: EventRef, filesystem: FilesystemID?) {
        let end = ref.timestamp ?? since ?? 0
        mark(Timeline.Mark(kind: .lostEvents, filesystem: filesystem, inode: nil, begin: min(since ?? end, end), end: end,
                           text: EventNarration.describe(.dataLoss(loss), event: ref.name.string), file: file(ref), line: ref.line))
    }
}
