public import TraceEvents
public import TraceInput
#if canImport(Glibc)
import Glibc
#endif

/// Options of one analysis run.
public struct AnalysisOptions: Sendable {
    /// Overrides format detection for every input.
    public var formatOverride: TraceFormat?
    /// Read chunk size (tests vary it to prove chunking does not change results).
    public var chunkSize: Int
    /// Map plain regular files instead of reading them (no copy); results are identical.
    public var allowMapping: Bool
    /// Size of the blocks a mapped file is decoded in, in parallel (tests make it tiny).
    public var parallelBlockSize: Int = ParallelReplay.defaultBlockSize
    /// Without `streamedBlocks`: read streamed inputs ahead on a background thread while this
    /// one parses (results are identical).
    public var prefetch: Bool = true
    /// Decode streamed text (gzip, pipes) in blocks on all cores, read and inflated on a thread
    /// of its own (results are identical). On by default when more than one core is ours.
    public var streamedBlocks: Bool = PosixThread.availableCores > 1
    /// Decode a trace.dat on a thread of its own while the ledger replays (`PipelinedReplay`;
    /// results are identical). On by default when more than one core is ours.
    public var pipeline: Bool = PosixThread.availableCores > 1
    /// Counts bytes and events as they are read, for a progress display (updated per block).
    public var progress: ProgressCounter?
    /// Record balances over time, I/O windows and marks for the HTML and Perfetto reports.
    public var recordTimeline: Bool = false

    public init(formatOverride: TraceFormat? = nil, chunkSize: Int = 4 << 20, allowMapping: Bool = true) {
        self.formatOverride = formatOverride
        self.chunkSize = chunkSize
        self.allowMapping = allowMapping
    }
}

/// Reads traces and replays them into ledgers. One ledger per input: inputs are separate captures.
public enum Analysis {
    /// Opens a binary trace.dat. Injected by the executable (module TraceDat), which this module
    /// does not depend on.
    public typealias TraceDatOpener = @Sendable (_ path: String, _ fileIndex: Int32) throws -> any EventStream

    /// Analyzes `paths` (`-` is stdin). Throws `InputError` for unreadable or non-trace inputs.
    public static func run(paths: [String], options: AnalysisOptions = AnalysisOptions(),
                           traceDat: TraceDatOpener? = nil) throws -> AnalysisReport {
        var findings: [Finding] = []
        var unlisted: [UnlistedFindings] = []
        var inodes: [InodeBalance] = []
        var statistics = TraceStatistics()
        var generations: [String] = []
        var evictions: [InodeEviction] = []
        var timeline = Timeline()
        let names = paths.map { $0 == "-" ? "<stdin>" : $0 }
        let progress = options.progress
        progress?.setTotals(bytes: paths.contains("-") ? 0 : paths.reduce(0) { $0 + ProgressCounter.storedSize(of: $1) })
        for (index, path) in paths.enumerated() {
            let (source, format) = try TraceInputOpener.open(path: path, formatOverride: options.formatOverride,
                                                             progress: progress)
            var ledger = Ledger(fileNames: names, recordTimeline: options.recordTimeline)
            if format == .traceDat {
                guard let traceDat else {
                    throw InputError(file: names[index], message: "trace.dat input needs the TraceDat module, which this build lacks")
                }
                // The trace.dat reader maps a file: gzip and stdin are decompressed to a private
                // temporary file first (the source already inflates gzip).
                let plainFile = path != "-" && !(MappedFile(path: path)?.isCompressed ?? true)
                let materialized = plainFile ? nil : try TemporaryCopy(of: source, name: names[index])
                // Errors and problems name the input as given, not its temporary copy.
                let readPath = materialized?.path ?? path
                do {
                    let stream = try traceDat(readPath, Int32(index))
                    try replay(stream, into: &ledger, progress: progress, pipeline: options.pipeline)
                    var read = stream.statistics
                    if materialized != nil { read.renameFile(readPath, to: names[index]) }
                    statistics.merge(read)
                } catch var error as InputError {
                    if error.file == readPath { error.file = names[index] }
                    throw error
                }
            } else if path != "-", options.allowMapping, let mapped = MappedFile(path: path), !mapped.isCompressed {
                // Plain files: framed in place and decoded on all cores, replayed in order.
                try ParallelReplay.run(mapped.bytes, fileIndex: Int32(index), name: names[index], format: format,
                                       blockSize: options.parallelBlockSize, progress: progress,
                                       ledger: &ledger, statistics: &statistics)
            } else if options.streamedBlocks {
                // gzip and pipes: read (and inflated) on a thread of their own, in blocks decoded
                // on all cores, replayed in order.
                try ParallelReplay.run(stream: source, fileIndex: Int32(index), name: names[index], format: format,
                                       blockSize: options.parallelBlockSize, readSize: options.chunkSize, progress: progress,
                                       ledger: &ledger, statistics: &statistics)
            } else {
                // One core: decompress/read ahead while this thread parses.
                let reader = TraceReader(fileIndex: Int32(index), fileName: names[index])
                reader.progress = progress
                let input: any ByteSource = options.prefetch ? PrefetchingSource(source) : source
                try reader.read(input, format: format, chunkSize: options.chunkSize) { ledger.apply($0) }
                statistics.merge(reader.statistics)
            }
            if path != "-" { progress?.finishInput(size: ProgressCounter.storedSize(of: path)) }
            let result = ledger.finish()
            findings += result.findings
            unlisted += result.unlisted
            inodes += result.inodes
            generations.append(result.generation)
            evictions += ledger.evictions
            timeline.append(ledger.recordedTimeline)
        }
        var report = AnalysisReport(inputs: names, findings: findings, statistics: statistics, inodes: inodes, generations: generations)
        // One entry per rule and severity over all inputs.
        var merged: [UnlistedFindings] = []
        for entry in unlisted {
            if let i = merged.firstIndex(where: { $0.rule == entry.rule && $0.severity == entry.severity }) {
                merged[i].count += entry.count
            } else {
                merged.append(entry)
            }
        }
        report.unlistedFindings = merged
        report.evictions = evictions
        report.timeline = timeline
        return report
    }

    /// Analyzes one decoded event stream (`record`'s live pages) as `run(paths:)` analyzes a
    /// trace.dat: one ledger, the stream's statistics.
    public static func run(stream: any EventStream, name: String, options: AnalysisOptions = AnalysisOptions()) throws -> AnalysisReport {
        var ledger = Ledger(fileNames: [name], recordTimeline: options.recordTimeline)
        try replay(stream, into: &ledger, progress: options.progress)
        return finish(&ledger, name: name, statistics: stream.statistics)
    }

    /// The report of one input from its ledger.
    private static func finish(_ ledger: inout Ledger, name: String, statistics: TraceStatistics) -> AnalysisReport {
        let result = ledger.finish()
        var report = AnalysisReport(inputs: [name], findings: result.findings, statistics: statistics,
                                    inodes: result.inodes, generations: [result.generation])
        report.unlistedFindings = result.unlisted
        report.evictions = ledger.evictions
        report.timeline = ledger.recordedTimeline
        return report
    }

    /// Replays a decoded stream: with `pipeline`, decoded on another thread (`PipelinedReplay`).
    private static func replay(_ stream: any EventStream, into ledger: inout Ledger, progress: ProgressCounter?,
                               pipeline: Bool = false) throws {
        var uncounted = 0
        nonisolated(unsafe) let source = stream
        try PipelinedReplay.run(threaded: pipeline) { sink in
            try source.read { sink($0) }
        } apply: {
            ledger.apply($0)
            uncounted += 1
            if uncounted == 1 << 16 { progress?.add(events: uncounted); uncounted = 0 }
        }
        progress?.add(events: uncounted)
    }

    /// Analyzes an in-memory trace (tests, chunking checks, live capture). With `blockSize`, the
    /// text is decoded in blocks of about that size on all cores as streamed inputs are
    /// (`ParallelReplay.run(stream:)`), reading at most `chunkSize` bytes at a time.
    public static func run(source: any ByteSource, name: String, format: TraceFormat, chunkSize: Int = 4 << 20,
                           recordTimeline: Bool = false, blockSize: Int? = nil) throws -> AnalysisReport {
        var ledger = Ledger(fileNames: [name], recordTimeline: recordTimeline)
        if let blockSize {
            var statistics = TraceStatistics()
            try ParallelReplay.run(stream: source, fileIndex: 0, name: name, format: format, blockSize: blockSize,
                                   readSize: chunkSize, ledger: &ledger, statistics: &statistics)
            return finish(&ledger, name: name, statistics: statistics)
        }
        let reader = TraceReader(fileIndex: 0, fileName: name)
        try reader.read(source, format: format, chunkSize: chunkSize) { ledger.apply($0) }
        return finish(&ledger, name: name, statistics: reader.statistics)
    }
}

/// A source of decoded events other than text (trace.dat).
public protocol EventStream: AnyObject {
    func read(sink: (TraceEvent) throws -> Void) throws
    var statistics: TraceStatistics { get }
}

/// A byte source written to a private temporary file (`mkstemp`), removed when released.
final class TemporaryCopy {
    let path: String

    init(of source: any ByteSource, name: String) throws(InputError) {
        var template = Array((temporaryDirectoryPath() + "dio-trace-XXXXXX.dat").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemps(base, 4)
        }
        guard fd >= 0 else { throw InputError(file: name, message: "cannot create a temporary copy: \(String(cString: strerror(errno)))") }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { close(fd) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        guard let base = chunk.baseAddress else { throw InputError(file: name, message: "cannot allocate a copy buffer") }
        while true {
            let n = try source.read(into: chunk)
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = write(fd, base + written, n - written)
                guard w > 0 else {
                    unlink(path)
                    throw InputError(file: name, message: "cannot write a temporary copy: \(String(cString: strerror(errno)))")
                }
                written += w
            }
        }
    }

    deinit { unlink(path) }
}

func temporaryDirectoryPath() -> String {
    let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return dir.hasSuffix("/") ? dir : dir + "/"
}
