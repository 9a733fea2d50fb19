import BtrfsAccounting
import FixtureCheck
import LiveTrace
import Synchronization
import TraceDat
import TraceInput
#if canImport(Glibc)
import Glibc
#endif

/// `record`'s analysis while the command runs: one thread replays the pages the per-CPU readers
/// publish (`LiveTraceDatStream`) into the ledger, so the report is ready soon after the command
/// exits instead of a whole trace.dat analysis later.
///
/// The thread runs at a lower priority (nice +`niceness`): the recorded command and the readers
/// go first, the analysis takes the idle time and catches up at the end.
final class RecordLiveAnalysis: @unchecked Sendable {
    /// The outcome: the report, or why there is none to use (then analyze the saved trace.dat).
    enum Outcome {
        case report(AnalysisReport, commands: [Int32: String])
        case unusable(String)
    }

    static let niceness: Int32 = 10

    private let stream: LiveTraceDatStream
    private let loss = Mutex<[Int32: UInt64]?>(nil)
    private var thread: PosixThread?
    // Written by the thread, read after it was joined.
    private var result: Result<AnalysisReport, any Error>?
    private var outcome: Outcome?

    /// Starts the analysis of `sources` with the formats of `header` (a trace.dat without pages).
    init(header: String, sources: [any LiveCPUPages], tracefs: Tracefs, name: String, options: AnalysisOptions) throws {
        stream = try LiveTraceDatStream(header: header, sources: sources, refreshCommandLines: { tracefs.savedCommandLines() })
        let wrapped = UnreportedLossStream(stream, knownLossByCPU: { [self] in
            // The ring-buffer statistics are read once the readers stopped, just before `finish`.
            while true {
                if let known = loss.withLock({ $0 }) { return known }
                usleep(1000)
            }
        })
        do {
            thread = try PosixThread(name: "live analysis") { [self] in
                // Linux keeps the nice value per thread; 0 is the calling one.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
                result = Result { try Analysis.run(stream: wrapped, name: name, options: options) }
            }
        } catch {
            throw LiveTraceError(error)
        }
    }

    /// Hands over the losses the ring-buffer statistics counted and waits for the analysis.
    /// Call after every reader finished (`RawTraceCapture.stop()`), else this waits for them.
    /// Safe to call twice (the first losses count).
    func finish(lossByCPU: [Int32: UInt64]) -> Outcome {
        if let outcome { return outcome }
        loss.withLock { if $0 == nil { $0 = lossByCPU } }
        thread?.join()
        thread = nil
        let outcome: Outcome
        switch result {
        case .success(let report) where stream.outOfOrderRecords == 0:
            outcome = .report(report, commands: stream.reader.resolvedCommands)
        case .success:
            outcome = .unusable("\(stream.outOfOrderRecords) records reached the live merge after later ones of another CPU")
        case .failure(let error):
            outcome = .unusable("\(error)")
        case nil:
            outcome = .unusable("the analysis thread did not run")
        }
        self.outcome = outcome
        return outcome
    }
}
