#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// kprobes/kretprobes on the btrfs direct-I/O functions, added to `kprobe_events` under the
/// group `dio_trace` and removed again by `remove()`. Kernels without `kprobe_events`
/// (no `CONFIG_KPROBE_EVENTS`) get none; functions this kernel lacks are skipped.
///
/// Events are named `<function>_entry` and `<function>_ret`, the names the analyzer reads.
public final class Kprobes {
    public static let group = "dio_trace"
    /// Functions probed where they exist: the direct part of a btrfs write on 5.9+ (btrfs_dio_write)
    /// and on 4.x (btrfs_direct_IO); the analyzer's `ProbeEvents.windowFunctions`.
    public static let functions = ["btrfs_dio_write", "btrfs_direct_IO"]

    private let tracefs: Tracefs
    /// Events added, `dio_trace:name`.
    public private(set) var added: [String] = []

    public init(tracefs: Tracefs) { self.tracefs = tracefs }

    /// Whether the kernel offers dynamic kprobe events.
    public var isAvailable: Bool { FileIO.exists(tracefs.path("kprobe_events")) }

    /// Adds an entry and a return probe per function that exists. Returns the events added
    /// (enable them with `Tracefs.enableEvents`).
    @discardableResult
    public func install() -> [String] {
        guard isAvailable else { return [] }
        for function in Kprobes.functions {
            for (kind, suffix) in [("p", "entry"), ("r", "ret")] {
                let name = "\(function)_\(suffix)"
                let definition = kind == "r" ? "r:\(Kprobes.group)/\(name) \(function) ret=$retval\n"
                                             : "p:\(Kprobes.group)/\(name) \(function)\n"
                if (try? tracefs.write("kprobe_events", definition, append: true)) != nil {
                    added.append("\(Kprobes.group):\(name)")
                }
            }
        }
        return added
    }

    /// Removes the probes added (their events must be disabled first; `TracingState.restore`
    /// does that). Best effort; returns the ones that could not be removed.
    @discardableResult
    public func remove() -> [String] {
        var failed: [String] = []
        for event in added.reversed() {
            let name = event.split(separator: ":").last.map(String.init) ?? event
            _ = try? tracefs.write("events/\(Kprobes.group)/\(name)/enable", "0\n")
            if (try? tracefs.write("kprobe_events", "-:\(Kprobes.group)/\(name)\n", append: true)) == nil {
                failed.append(event)
            }
        }
        added = []
        return failed
    }
}
