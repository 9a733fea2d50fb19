import Foundation
import XCTest

/// Makes a real trace on the running kernel (btrfs on a loop file: NOCOW and checksummed O_DIRECT
/// writes, EFAULT short writes, splice, sendfile, concurrent writers, aio, buffered writes,
/// truncate, unlink, umount; the script restores the tracing state and removes its loop device
/// even on failure) and asserts that dio-trace finds it clean: the kernel did not warn.
final class FreshCaptureTests: XCTestCase {
    func testFreshCaptureOfThisKernelIsClean() throws {
        guard getuid() == 0, FileManager.default.fileExists(atPath: "/sys/kernel/tracing/trace") || FileManager.default.fileExists(atPath: "/sys/kernel/tracing") else {
            throw XCTSkip("needs root and tracefs")
        }
        let root = CommandLineTests.root
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dio-fresh-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [root.appendingPathComponent("scripts/capture-real-trace.sh").path, dir, "--format", "both"]
        script.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try script.run()
        script.waitUntilExit()
        if script.terminationStatus != 0 && !FileManager.default.fileExists(atPath: dir + "/ftrace.txt") {
            throw XCTSkip("capture not possible here (status \(script.terminationStatus))")
        }
        XCTAssertEqual(script.terminationStatus, 0)
        var ledgers: [String] = []
        for file in ["ftrace.txt", "trace-cmd-report.txt", "trace.dat"] where FileManager.default.fileExists(atPath: dir + "/" + file) {
            let r = try CommandLineTests.run(["analyze", "--format", "json", dir + "/" + file])
            XCTAssertEqual(r.status, 0, "\(file): \(r.out.prefix(3000)) \(r.err)")
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
            let stats = try XCTUnwrap(json["statistics"] as? [String: Any])
            XCTAssertEqual(stats["unrecognized_lines"] as? Int, 0, file)
            XCTAssertEqual(stats["malformed_lines"] as? Int, 0, file)
            XCTAssertGreaterThan(stats["decoded_events"] as? Int ?? 0, 100, file)
            let inodes = try XCTUnwrap(json["inodes"] as? [[String: Any]])
            XCTAssertTrue(inodes.contains { $0["evicted"] as? Bool == true }, "umount must be in the trace")
            ledgers.append(inodes.map { "\($0["inode"] ?? 0):\($0["outstanding_extents"] ?? 0):\($0["open_ordered_extents"] ?? 0)" }.sorted().joined(separator: ","))
        }
        // trace-cmd report text and trace.dat come from the same ring buffer: same ledger.
        if ledgers.count == 3 { XCTAssertEqual(ledgers[1], ledgers[2]) }
    }
}
