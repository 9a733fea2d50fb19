import Foundation
@testable import TraceDat
import TraceInput
import XCTest

/// A trace.dat is mapped; its pages are given back behind the scan, so resident memory does not
/// grow with the file (issue: peak RSS at any trace size).
final class ReleaseBehindTests: XCTestCase {
    /// Resident pages of this process (`/proc/self/statm`, second field), in MB.
    func residentMB() throws -> Double {
        let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        let pages = try XCTUnwrap(Double(fields[1]))
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// Touches every page of `bytes` in order, releasing behind when asked; the growth of RSS.
    func scanGrowth(_ bytes: UnsafeRawBufferPointer, release: Bool) throws -> Double {
        let before = try residentMB()
        var behind = ReleaseBehind()
        var sum = 0
        var peak = before
        for offset in stride(from: 0, to: bytes.count, by: 4096) {
            if release { behind.release(before: offset, in: bytes) }
            sum &+= Int(bytes[offset])
            if offset % (8 << 20) == 0 { peak = max(peak, try residentMB()) }
        }
        XCTAssertEqual(sum, (bytes.count / 4096) * 0xAB)
        return max(peak, try residentMB()) - before
    }

    func testAMappedScanStaysBoundedWhenReleasedBehind() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("release-behind-\(getpid()).bin").path
        defer { unlink(path) }
        let size = 96 << 20
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let chunk = [UInt8](repeating: 0xAB, count: 1 << 20)
        for _ in 0..<(size >> 20) { XCTAssertEqual(chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }, chunk.count) }
        close(fd)

        let released = try XCTUnwrap(MappedFile(path: path))
        let withRelease = try scanGrowth(released.bytes, release: true)
        let kept = try XCTUnwrap(MappedFile(path: path))
        let withoutRelease = try scanGrowth(kept.bytes, release: false)
        // The control shows the measure sees the mapping; released, only the last strides stay.
        XCTAssertGreaterThan(withoutRelease, 48, "RSS growth of an unreleased 96 MB scan")
        XCTAssertLessThan(withRelease, 16, "RSS growth of a released 96 MB scan")
    }
}
