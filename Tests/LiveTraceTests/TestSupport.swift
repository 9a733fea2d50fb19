import XCTest
@testable import LiveTrace

/// Skips unless running as root with tracefs available; returns the tracefs handle.
func requireTracefs(file: StaticString = #filePath, line: UInt = #line) throws -> Tracefs {
    guard Tracefs.isRoot else { throw XCTSkip("needs root to change tracefs state", file: file, line: line) }
    do {
        let tracefs = try Tracefs()
        try tracefs.requireWritable()
        return tracefs
    } catch {
        throw XCTSkip("tracefs unavailable: \(error)", file: file, line: line)
    }
}

/// Skips unless a loop btrfs can be made here.
func requireLoopBtrfs(file: StaticString = #filePath, line: UInt = #line) throws {
    if let reason = LoopBtrfs.unavailableReason() {
        throw XCTSkip("loop btrfs unavailable: \(reason)", file: file, line: line)
    }
}

/// The package root, found from this file's path (Tests/LiveTraceTests/<file>).
let packageRoot: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

func readFile(_ path: String) -> String? {
    try? FileIO.readString(path)
}
