import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import TraceInput

/// A one-line progress display on standard error while a long run reads its inputs: bytes,
/// events/s and ETA, redrawn in place (`\r`, erase line) four times a second by a background
/// thread that only reads a `ProgressCounter`, and erased when the run ends. Shown only when
/// standard error is a terminal and `--quiet` is not given; the readers update the counter once
/// per block, so the hot path does not change.
final class ProgressLine: @unchecked Sendable {
    /// The counter the run updates; nil when no progress is shown.
    let counter: ProgressCounter?
    private let label: String
    private let stop = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let start = ContinuousClock.now
    private var drawn = false
    private var finished = false

    static let interval: DispatchTimeInterval = .milliseconds(250)
    /// Runs shorter than this show nothing.
    static let firstDraw: Duration = .milliseconds(200)

    /// Starts the display for `label` (`analyze`, `check`) unless `quiet` or standard error is
    /// not a terminal (`TERM=dumb` counts as none).
    init(label: String, quiet: Bool) {
        self.label = label
        guard !quiet, TerminalStyle.isTerminal(2), !TerminalStyle.isDumb else {
            counter = nil
            return
        }
        counter = ProgressCounter()
        let thread = DispatchQueue(label: "dio-trace.progress")
        thread.async { [self] in
            while stop.wait(timeout: .now() + Self.interval) == .timedOut {
                if ContinuousClock.now - start >= Self.firstDraw { draw() }
            }
            if drawn { writeToStandardError("\r\u{1B}[K") }
            stopped.signal()
        }
    }

    /// Erases the line; call before printing the report (idempotent).
    func finish() {
        guard counter != nil, !finished else { return }
        finished = true
        stop.signal()
        stopped.wait()
    }

    private func draw() {
        guard let counter else { return }
        let text = Self.describe(counter.snapshot, elapsed: ContinuousClock.now - start, label: label)
        let width = TerminalStyle.columns(2) ?? 80
        // Never wrap: a wrapped line could not be erased with \r.
        writeToStandardError("\r\u{1B}[K" + String(text.prefix(max(width - 1, 10))))
        drawn = true
    }

    /// `analyze: 212.4 MB of 519.0 MB (41%), 3.4 M events/s, ETA 0:05`.
    static func describe(_ s: ProgressCounter.Snapshot, elapsed: Duration, label: String) -> String {
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
        var parts: [String] = []
        if s.totalItems > 0 { parts.append("\(s.items)/\(s.totalItems) cases") }
        var bytes = megabytes(s.bytes)
        if s.totalBytes > 0 {
            bytes += " of " + megabytes(s.totalBytes) + " (\(s.bytes * 100 / s.totalBytes)%)"
        }
        parts.append(bytes)
        parts.append(count(Double(s.events) / seconds) + " events/s")
        // No estimate before the first block is through (the prefix read for format detection).
        if s.totalBytes > 0, s.events > 0, s.bytes * 100 >= s.totalBytes {
            let remaining = seconds * Double(s.totalBytes - s.bytes) / Double(s.bytes)
            parts.append("ETA " + clock(remaining))
        }
        return label + ": " + parts.joined(separator: ", ")
    }

    static func megabytes(_ bytes: Int) -> String { fixed(Double(bytes) / 1e6) + " MB" }

    static func count(_ n: Double) -> String {
        n >= 1e6 ? fixed(n / 1e6) + " M" : n >= 1e3 ? fixed(n / 1e3) + " k" : String(Int(n))
    }

    /// One decimal, without Foundation's formatters.
    static func fixed(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        let minutes = s / 60, rest = s % 60
        return minutes >= 60 ? "\(minutes / 60):\(pad(minutes % 60)):\(pad(rest))" : "\(minutes):\(pad(rest))"
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

func writeToStandardError(_ text: String) {
    var line = text
    line.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}
