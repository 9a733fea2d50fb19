import Foundation
import XCTest
@testable import KernelLog

/// Every log of ../shared/corpora/wild-kernel-inputs/dmesg (40 real logs from mailing lists, bug trackers,
/// test-robot consoles; sources in their .src files), decoded as a new user would. Expected titles were
/// written from each log's headers by hand (report counts checked with grep: 407 WARNINGs of the lkp storm,
/// 7 and 12 hung tasks, 8 simultaneous BUG_ONs, …); first-report frame counts were checked against an
/// independent count of the frame lines between the header and `---[ end trace`/`</TASK>` on 11 logs and by
/// reading the rest. Skipped when ../shared is absent.
final class WildLogTests: XCTestCase {
    static let directory = FixturePaths.root.deletingLastPathComponent()
        .appendingPathComponent("../shared/corpora/wild-kernel-inputs/dmesg")

    typealias Case = (name: String, titles: [(String, Int)], firstFrames: Int, dumps: Int)

    static let cases: [Case] = [
        ("btrfs-042-qgroup-rsv-leak.txt", [("WARNING in close_ctree", 1)], firstFrames: 20, dumps: 0),
        ("btrfs-158-decode-stacktrace.txt", [("BUG: unable to handle kernel NULL pointer dereference in rbio_add_bio", 1)], firstFrames: 14, dumps: 0),
        ("btrfs-158-raw-null-deref.txt", [("BUG: unable to handle kernel NULL pointer dereference in rbio_add_bio", 1)], firstFrames: 14, dumps: 0),
        ("btrfs-assertion-root-objectid.txt", [("kernel BUG in do_walk_down", 1)], firstFrames: 30, dumps: 0),
        ("btrfs-attach-eb-folio-null-deref.txt", [("BUG: unable to handle kernel NULL pointer dereference in attach_eb_folio_to_filemap", 1)], firstFrames: 31, dumps: 0),
        ("btrfs-backref-warnings.txt", [("WARNING in lookup_backref_shared_cache", 1), ("WARNING in store_backref_shared_cache", 1)], firstFrames: 11, dumps: 0),
        ("btrfs-defrag-hung-journalctl.txt", [("INFO: task hung in btrfs_commit_transaction", 4), ("INFO: task hung in btrfs_file_write_iter", 3)], firstFrames: 12, dumps: 0),
        ("btrfs-delayed-refs-readonly.txt", [("WARNING in btrfs_run_delayed_refs", 2)], firstFrames: 9, dumps: 0),
        ("btrfs-destroy-inode-fedora-5.17.3-bugzilla.txt", [("WARNING in btrfs_destroy_inode", 1)], firstFrames: 15, dumps: 0),
        ("btrfs-dio-outstanding-extents-5.17-commitmsg.txt", [("WARNING in btrfs_destroy_inode", 1)], firstFrames: 14, dumps: 0),
        ("btrfs-enospc-4.9-syslog.txt", [("WARNING in btrfs_run_delayed_refs", 1), ("WARNING in btrfs_free_block_groups", 3)], firstFrames: 13, dumps: 0),
        ("btrfs-get-root-ref-syz-report.txt", [("kernel BUG in btrfs_get_root_ref", 1)], firstFrames: 10, dumps: 0),
        ("btrfs-get-tree-null-deref-decoded.txt", [("BUG: unable to handle kernel NULL pointer dereference in btrfs_get_tree", 1)], firstFrames: 7, dumps: 0),
        ("btrfs-kyber-bio-merge-oops.txt", [("BUG: unable to handle kernel NULL pointer dereference in kyber_bio_merge", 1)], firstFrames: 33, dumps: 0),
        ("btrfs-lockdep-max-stack-trace-entries.txt", [("BUG: sleeping function called from invalid context in dc_create_stream_for_sink", 1), ("BUG: MAX_STACK_TRACE_ENTRIES too low!", 1)], firstFrames: 111, dumps: 0),
        ("btrfs-raid-hung-transaction.txt", [("INFO: task hung in btrfs_commit_transaction", 1)], firstFrames: 17, dumps: 0),
        ("btrfs-raid1-replace-kernel-bugs.txt", [("kernel BUG in repair_io_failure", 8)], firstFrames: 10, dumps: 0),
        ("btrfs-raid56-oops-blk-mq-merge.txt", [("BUG: unable to handle kernel NULL pointer dereference in __blk_mq_sched_bio_merge", 1), ("WARNING in do_exit", 1)], firstFrames: 34, dumps: 1),
        ("btrfs-readonly-after-mount.txt", [("WARNING in btrfs_start_dirty_block_groups", 1)], firstFrames: 13, dumps: 0),
        ("btrfs-rsv-leak-warnings-no-calltrace.txt", [("WARNING in btrfs_destroy_inode", 3), ("WARNING in btrfs_free_block_groups", 2)], firstFrames: 0, dumps: 0),
        ("btrfs-scrub-kasan-v6.7.txt", [("KASAN: slab-use-after-free Read in __blk_rq_map_sg", 1), ("WARNING in __blk_rq_map_sg", 1), ("kernel BUG in __blk_rq_map_sg", 1), ("WARNING in do_exit", 1)], firstFrames: 119, dumps: 0),
        ("btrfs-zstd-null-deref.txt", [("BUG: unable to handle kernel NULL pointer dereference in compress_file_range", 2)], firstFrames: 11, dumps: 0),
        ("dmcrypt-btrfs-null-deref-decoded-wrapped.txt", [("BUG: unable to handle kernel NULL pointer dereference in crypto_dequeue_request", 1)], firstFrames: 9, dumps: 0),
        ("ext4-jbd2-vmcore-dmesg.txt", [("kernel BUG in jbd2_journal_commit_transaction", 1)], firstFrames: 5, dumps: 0),
        ("ext4-kernel-bug-do-writepages-report.txt", [("kernel BUG in ext4_do_writepages", 1), ("WARNING in do_exit", 1), ("kernel BUG in ext4_do_writepages", 1), ("WARNING in do_exit", 1)], firstFrames: 12, dumps: 0),
        ("github-xbian-btrfs-abort-arm-3.13.txt", [("WARNING at fs/btrfs/super.c:254", 1)], firstFrames: 11, dumps: 0),
        ("lkp-btrfs-62bd8124e2-407-warnings.txt", [("WARNING in btrfs_block_rsv_release", 181), ("WARNING in btrfs_release_global_block_rsv", 1), ("WARNING in btrfs_block_rsv_release", 224), ("WARNING in btrfs_release_global_block_rsv", 1)], firstFrames: 11, dumps: 0),
        ("lkp-btrfs-926078b21d-35-warnings.txt", [("WARNING in btrfs_destroy_inode", 15), ("WARNING in btrfs_free_block_groups", 1), ("WARNING in btrfs_destroy_inode", 18), ("WARNING in btrfs_free_block_groups", 1)], firstFrames: 15, dumps: 0),
        ("lkp-btrfs-divide-error.txt", [("kernel BUG in read_one_chunk", 1)], firstFrames: 52, dumps: 0),
        ("lkp-btrfs-kasan-blk-queue-split.txt", [("KASAN: use-after-free Read in __blk_queue_split", 1), ("WARNING: refcount bug in btrfs_end_bio", 2)], firstFrames: 61, dumps: 0),
        ("lkp-btrfs-kasan-drop-snapshot.txt", [("KASAN: use-after-free Read in btrfs_drop_snapshot", 1)], firstFrames: 93, dumps: 0),
        ("lkp-btrfs-raid56-kernel-bug.txt", [("kernel BUG in raid56_rmw_end_io_work", 1)], firstFrames: 7, dumps: 0),
        ("lkp-btrfs-sysfs-emit-179-warnings.txt", [("WARNING in sysfs_emit", 179)], firstFrames: 12, dumps: 0),
        ("lkp-ext4-mb-pa-free-warning.txt", [("WARNING in ext4_mb_pa_free", 1), ("BUG: unable to handle kernel paging request in ext4_mb_use_preallocated", 1)], firstFrames: 17, dumps: 0),
        ("lkp-xfs-ltp-console-noise.txt", [], firstFrames: 0, dumps: 0),
        ("syzbot-btrfs-destroy-inode-3-2025.txt", [("WARNING in btrfs_destroy_inode", 1)], firstFrames: 10, dumps: 0),
        ("xfs-gpf-xfarray-destroy.txt", [("general protection fault in xfarray_destroy", 1)], firstFrames: 45, dumps: 0),
        ("xfs-hung-tasks-6.6.92.txt", [("INFO: task hung in xlog_cil_push_now", 1), ("INFO: task hung in xlog_grant_head_check", 11)], firstFrames: 18, dumps: 0),
        ("xfs-rcu-stall-5.4.57-messages.txt", [("INFO: rcu detected stall in xfs_end_io", 3)], firstFrames: 22, dumps: 0),
        ("btrfs-delayed-refs-readonly-original.log.gz", [("WARNING in btrfs_run_delayed_refs", 2)], firstFrames: 9, dumps: 0),
    ]

    func testEveryWildLogGetsItsTitlesAndFrames() throws {
        guard FileManager.default.fileExists(atPath: Self.directory.path) else { throw XCTSkip("../shared is absent") }
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { !$0.hasSuffix(".src") }.sorted()
        XCTAssertEqual(Set(names), Set(Self.cases.map(\.name)), "one case per log")
        var right = 0
        var reports = 0
        for testCase in Self.cases {
            let path = Self.directory.appendingPathComponent(testCase.name).path
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            if testCase.name.hasSuffix(".gz") { bytes = try Self.gunzip(path) }
            let log = KernelLogParser().decode(bytes)
            var runs: [(String, Int)] = []
            for report in log.reports {
                if let last = runs.last, last.0 == report.title { runs[runs.count - 1].1 += 1 } else { runs.append((report.title, 1)) }
            }
            let expected = testCase.titles.map { "\($0.1)x \($0.0)" }
            XCTAssertEqual(runs.map { "\($0.1)x \($0.0)" }, expected, testCase.name)
            XCTAssertEqual(log.reports.first?.frames.count ?? 0, testCase.firstFrames, testCase.name)
            XCTAssertEqual(log.stackDumps.count, testCase.dumps, testCase.name)
            reports += log.reports.count
            right += zip(log.reports.map(\.title), testCase.titles.flatMap { Array(repeating: $0.0, count: $0.1) })
                .filter { $0 == $1 }.count
        }
        print("wild logs: \(Self.cases.count) logs, \(right)/\(reports) reports titled as expected")
    }

    static func gunzip(_ path: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }
}
