import TraceInput
import XCTest
@testable import TraceEvents

/// Line variants of other people's traces (lines copied from
/// ../shared/corpora/wild-kernel-inputs/traces, file named per case).
final class TraceVariantTests: XCTestCase {
    func kind(_ s: String) -> LineKind { Array(s.utf8).withUnsafeBytes { LineTokenizer().classify($0) } }

    func event(_ s: String) -> (EventHeader, comm: String, name: String)? {
        Array(s.utf8).withUnsafeBytes { p -> (EventHeader, comm: String, name: String)? in
            guard case .event(let h) = LineTokenizer().classify(p) else { return nil }
            return (h, Bytes.string(p, h.commStart, h.commEnd), Bytes.string(p, h.nameStart, h.nameEnd))
        }
    }

    func testPerfScriptPeriodColumn() throws {
        // flamegraph-perf-dd-stacks-01.txt: no CPU column, period 10101010
        let dd = try XCTUnwrap(event("dd 29776 666709.771979:   10101010 cpu-clock: "))
        XCTAssertEqual([dd.comm, dd.name], ["dd", "cpu-clock"])
        XCTAssertEqual([dd.0.pid, dd.0.cpu], [29776, -1])
        XCTAssertEqual(dd.0.timestamp, 666_709_771_979_000)
        // flamegraph-perf-java-faults-01.txt: CPU column, period 1
        let perf = try XCTUnwrap(event("perf 47118 [011] 51499.088689:          1 page-faults: "))
        XCTAssertEqual([perf.comm, perf.name], ["perf", "page-faults"])
        XCTAssertEqual([perf.0.pid, perf.0.cpu], [47118, 11])
        // perf-script-majorfaults-block-mixed.txt: period, event, then the sample's ip and symbol
        let mf = try XCTUnwrap(event("graph_traverse_ 1264623 82545.600573:          1         major-faults:      777475998155 __memmove_avx512_unaligned_erms+0x95 (/nix/store/x/lib/libc.so.6)"))
        XCTAssertEqual([mf.comm, mf.name], ["graph_traverse_", "major-faults"])
        // A number between timestamp and name is a period only in perf lines.
        XCTAssertNil(event("          dd-16264   [001]    418.166382: 12 iomap_dio_rw_begin: dev"))
    }

    func testTabLedLinesAreEventsFramesOrCounted() throws {
        // trappy-tests-trace_idle_unsorted.txt: trace-cmd report lines indented with a TAB
        let e = try XCTUnwrap(event("\t   <...>-15430 [006]  7115.449594: sched_switch:          prev_comm=trace-cmd prev_pid=15430"))
        XCTAssertEqual([e.comm, e.name], ["<...>", "sched_switch"])
        XCTAssertEqual([e.0.pid, e.0.cpu], [15430, 6])
        // flamegraph-perf-dd-stacks-01.txt: frames
        guard case .callchainFrame = kind("\t          414b3b fsnotify (/lib/modules/4.1.0-virtual/build/vmlinux)") else { return XCTFail() }
        guard case .callchainFrame = kind("\t               0 [unknown] ([unknown])") else { return XCTFail() }
        // Neither: counted as unrecognized, not dropped as a frame.
        guard case .unrecognized = kind("\tsome words of a mail") else { return XCTFail() }
        guard case .blank = kind("\t  ") else { return XCTFail() }
    }

    func testFunctionStackTraceAndGraphLines() {
        let lines: [(String, String)] = [
            // perftools-functrace-3.16.txt / -3.2.txt
            ("          svscan-1678  [001] .... 6413283.729520: do_nanosleep <-hrtimer_nanosleep", "function"),
            ("          vmstat-11789 [000] 1763207.021204: do_nanosleep <-hrtimer_nanosleep", "function"),
            // kernel-doc-irqsoff-latency-format.txt (latency format, indented)
            ("        ps-6143    2d...    0us!: trace_hardirqs_off <-__lock_task_sighand", "function"),
            ("        ps-6143    2d..1  306us : <stack trace>", "stack"),
            ("   => trace_hardirqs_on_caller", "stack"),
            // perftools-tpoint-stacks.txt
            ("       supervise-1691  [000] d... 7269511.079188: <stack trace>", "stack"),
            (" => blk_peek_request", "stack"),
            // perftools-funcgraph.txt
            (" 0)               |  do_nanosleep() {", "graph"),
            (" 0)   0.198 us    |          _raw_spin_lock_irqsave();", "graph"),
            (" 0)   3.998 us    |    }", "graph"),
            (" ------------------------------------------", "graph"),
            // function_graph with funcgraph-abstime and a task switch (kernel documentation forms)
            (" 4470.012345 |   0)   0.198 us    |  f();", "graph"),
            (" 0)   <idle>-0    =>   bash-1234  ", "graph"),
        ]
        for (line, expected) in lines {
            let got: String
            switch kind(line) {
            case .function: got = "function"
            case .stackTrace: got = "stack"
            case .functionGraph: got = "graph"
            default: got = "\(kind(line))"
            }
            XCTAssertEqual(got, expected, line)
        }
        // A numbered list in prose is not function_graph output.
        guard case .unrecognized = kind(" 1) first do this, then that") else { return XCTFail() }
    }

    func testIndentedCopiesAndWrappedContinuations() {
        guard case .comment = kind("  # tracer: irqsoff") else { return XCTFail() }
        guard case .traceCmdHeader = kind("    cpus=8") else { return XCTFail() }
        guard case .lost(let cpu, let n) = kind("   CPU:1 [LOST 20130 EVENTS]") else { return XCTFail() }
        XCTAssertEqual([Int(cpu), Int(n)], [1, 20130])
        // btrfs-qgroup-update-reserve-wrapped.txt line 2: the payload wrapped onto its own line
        guard case .unrecognized = kind("2b742cae-e0e5-4def-9ef7-28a9b34a951e: qgid=5 type=0x2 cur_reserved=54870016 diff=-32768") else { return XCTFail() }
        guard case .unrecognized = kind("d34c187e-c57d-44b9-ac08-203bbe00a56a: bg") else { return XCTFail() }
        // context-info off stays an event
        XCTAssertEqual(event("btrfs_reclaim_block_group: 7745e2f7-5c67-4b18-844b-8e93399f7b0b: bg ")?.name, "btrfs_reclaim_block_group")
    }

    func testSniffingReadsTheseVariants() {
        func sniff(_ s: String) -> TraceFormat? { TraceFormat.sniff(Array(s.utf8)) }
        XCTAssertEqual(sniff("dd 29776 666709.771979:   10101010 cpu-clock: \n\t          414b3b fsnotify (/vmlinux)\n\n"), .perfScript)
        XCTAssertEqual(sniff(" 0)               |  do_nanosleep() {\n 0)   0.198 us    |    f();\n"), .ftrace)
        XCTAssertEqual(sniff("  # tracer: irqsoff\n  #\n        ps-6143    2d...    0us!: trace_hardirqs_off <-__lock_task_sighand\n"), .ftrace)
    }

    /// A whole trace through the reader: every line lands in exactly one count.
    func testEveryLineIsCountedOnce() throws {
        let text = """
        # tracer: function
        #
                  svscan-1678  [001] .... 6413283.729520: do_nanosleep <-hrtimer_nanosleep
        \t   <...>-15430 [006]  7115.449594: sched_switch:          prev_comm=trace-cmd
               supervise-1691  [000] d... 7269511.079188: <stack trace>
         => blk_peek_request
         0)   0.198 us    |          _raw_spin_lock_irqsave();
        CPU:1 [LOST 20 EVENTS]
        2b742cae-e0e5-4def-9ef7-28a9b34a951e: qgid=5

        \t          414b3b fsnotify (/vmlinux)

        """
        let reader = TraceReader(fileIndex: 0, fileName: "t")
        var delivered = 0
        try reader.read(MemorySource(bytes: Array(text.utf8)), format: .ftrace) { _ in delivered += 1 }
        let s = reader.statistics
        XCTAssertEqual(s.lines, 11)
        let kinds = Dictionary(uniqueKeysWithValues: s.linesByKind.map { ($0.kind, $0.count) })
        XCTAssertEqual(kinds, ["event": 1, "blank": 1, "comment": 2, "callchain": 1, "function": 1, "function_graph": 1,
                               "stack_trace": 2, "data_loss": 1, "unrecognized": 1, "overlong": 0])
        XCTAssertEqual(s.linesByKind.map(\.count).reduce(0, +), s.lines)
        XCTAssertEqual(delivered, 1) // the data-loss marker
    }
}
