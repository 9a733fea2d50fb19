import XCTest
@testable import LiveTrace

final class LoopBtrfsTests: XCTestCase {
    func testMountWriteTeardownLeavesNoLoopDevice() throws {
        try requireLoopBtrfs()
        let loopsBefore = LoopBtrfs.attachedLoopDevices()
        let fs = try LoopBtrfs()
        defer { fs.teardown() }
        let dev = try XCTUnwrap(fs.loopDevice)
        XCTAssertEqual(LoopBtrfs.attachedLoopDevices()[dev], fs.imagePath)
        XCTAssertTrue(fs.isMounted)
        let mounts = try XCTUnwrap(readFile("/proc/mounts"))
        XCTAssertTrue(mounts.contains("\(dev) \(fs.mountPoint) btrfs"), "not in /proc/mounts")
        try Command.check("sh", ["-c", "echo hello > '\(fs.mountPoint)/f' && sync"])

        fs.teardown()
        XCTAssertEqual(fs.teardownProblems, [])
        XCTAssertNil(fs.loopDevice)
        XCTAssertNil(LoopBtrfs.attachedLoopDevices()[dev].flatMap { $0 == fs.imagePath ? $0 : nil })
        XCTAssertFalse(try XCTUnwrap(readFile("/proc/mounts")).contains(fs.mountPoint))
        XCTAssertFalse(FileIO.exists(fs.directory), "temp dir left behind")
        XCTAssertEqual(Set(LoopBtrfs.attachedLoopDevices().keys), Set(loopsBefore.keys))
        fs.teardown()  // idempotent
    }

    func testTeardownRunsWhenBodyThrows() throws {
        try requireLoopBtrfs()
        struct Boom: Error {}
        let loopsBefore = LoopBtrfs.attachedLoopDevices()
        var directory = ""
        XCTAssertThrowsError(try LoopBtrfs.with { fs in
            directory = fs.directory
            throw Boom()
        })
        XCTAssertFalse(directory.isEmpty)
        XCTAssertFalse(FileIO.exists(directory))
        XCTAssertEqual(Set(LoopBtrfs.attachedLoopDevices().keys), Set(loopsBefore.keys))
    }
}
