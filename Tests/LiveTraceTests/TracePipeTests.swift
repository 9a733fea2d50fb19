import XCTest
@testable import LiveTrace

final class TracePipeTests: XCTestCase {
    /// Enable btrfs_inode_new, stream trace_pipe while files are created, drain, restore.
    func testTracePipeStreamsEventsAndDrains() throws {
        let tracefs = try requireTracefs()
        try requireLoopBtrfs()
        let lock = try CaptureLock()
        defer { lock.release() }
        let before = try TracingState.capture(from: tracefs)
        defer {
            XCTAssertNoThrow(try before.restore(to: tracefs))
            if let after = try? TracingState.capture(from: tracefs) {
                XCTAssertEqual(after.differences(from: before), [])
            }
        }
        try tracefs.setTracingOn(false)
        try tracefs.disableAllEvents()
        let result = try tracefs.enableEvents(["btrfs:btrfs_inode_new", "btrfs:btrfs_inode_evict"])
        XCTAssertEqual(result.enabled, ["btrfs:btrfs_inode_new", "btrfs:btrfs_inode_evict"])
        try tracefs.clearBuffer()
        let pipe = try tracefs.openTracePipe()
        defer { pipe.close() }
        // nothing yet: a zero-timeout read returns 0 instead of blocking
        XCTAssertEqual(try pipe.read(maxBytes: 4096, timeoutMilliseconds: 0).count, 0)

        var collected: [UInt8] = []
        try tracefs.setTracingOn(true)
        try LoopBtrfs.with { fs in
            for i in 0..<3 {
                try Command.check("sh", ["-c", "echo x > '\(fs.mountPoint)/file\(i)'"])
                collected += try pipe.read(maxBytes: 65536, timeoutMilliseconds: 50)
            }
            try fs.unmount()
        }
        try tracefs.setTracingOn(false)
        try pipe.drain { collected += $0 }
        let text = String(decoding: collected, as: UTF8.self)
        XCTAssertEqual(text.components(separatedBy: "btrfs_inode_new:").count - 1, 3, text)
        XCTAssertTrue(text.contains("umount-"), "no evict by umount:\n\(text)")
        XCTAssertFalse(text.contains("LOST"))
    }
}
