public import TraceEvents

/// Balances over time, direct-I/O windows, evictions, unmounts and lost-event windows of one
/// analysis, for the HTML and Perfetto reports. Recorded while the ledger replays
/// (`AnalysisOptions.recordTimeline`), with bounded memory: each track keeps at most
/// `TimelineRecorder.samplesPerTrack` samples (halved, oldest-first thinning, when full), and the
/// numbers of tracks, windows and marks are capped; what was left out is counted. Findings'
/// event chains are not decimated: they come from the findings themselves.
public struct Timeline: Sendable {
    /// One inode's balances after each event that moved one of them.
    public struct Track: Sendable {
        public var filesystem: FilesystemID?
        public var root: UInt64
        public var inode: UInt64
        public var samples: [Sample]
        /// Samples thinned out to keep the track bounded.
        public var thinned: Int
    }

    public struct Sample: Sendable, Equatable {
        public var timestamp: UInt64
        public var outstandingExtents: Int64
        public var metadataReserved: Int64
        /// Data reserved by the inode's open direct-I/O write (0 outside one).
        public var dataReserved: Int64
        public var openOrderedExtents: Int64

        public func value(_ kind: BalanceKind) -> Int64 {
            switch kind {
            case .outstandingExtents: outstandingExtents
            case .metadataReserved: metadataReserved
            case .dataReserved: dataReserved
            case .openOrderedExtents: openOrderedExtents
            case .qgroupData, .bytesMayUse: 0
            }
        }
    }

    /// One direct-I/O window of one task.
    public struct IOWindow: Sendable, Equatable {
        public var filesystem: FilesystemID?
        public var inode: UInt64?
        public var io: IODescription
        public var begin: UInt64
        public var end: UInt64?
        public var failed: Bool
        public var file: String
        public var line: Int
    }

    public struct Mark: Sendable, Equatable {
        public enum Kind: String, Sendable { case eviction, unmount, lostEvents = "lost-events" }
        public var kind: Kind
        public var filesystem: FilesystemID?
        public var inode: UInt64?
        /// For lost events: from the CPU's previous event to the marker.
        public var begin: UInt64
        public var end: UInt64
        public var text: String
        public var file: String
        public var line: Int
    }

    public var tracks: [Track] = []
    public var windows: [IOWindow] = []
    public var marks: [Mark] = []
    public var droppedTracks = 0
    public var droppedWindows = 0
    public var droppedMarks = 0

    public init() {}

    /// Adds the timeline of another input.
    public mutating func append(_ other: Timeline) {
        tracks += other.tracks
        windows += other.windows
        marks += other.marks
        droppedTracks += other.droppedTracks
        droppedWindows += other.droppedWindows
        droppedMarks += other.droppedMarks
    }

    /// Filesystems in order (nil, the ≤4.7 "no fsid" case, first).
    public var filesystems: [FilesystemID?] {
        var seen: [FilesystemID?] = []
        for fs in tracks.map(\.filesystem) + windows.map(\.filesystem) + marks.map(\.filesystem) where !seen.contains(fs) { seen.append(fs) }
        return seen.sorted { ($0 ?? FilesystemID(high: 0, low: 0)) < ($1 ?? FilesystemID(high: 0, low: 0)) }
    }
}
