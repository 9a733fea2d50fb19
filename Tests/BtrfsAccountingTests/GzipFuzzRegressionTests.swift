import Foundation
import XCTest
import TraceInput

/// Replays the reproducers the Fuzz/ target `gzip` found (Fuzz/regressions/gzip/) the way the
/// target runs them: byte 0 picks the input buffer (1 + b bytes) and the read size (1 + (1 + b)/3
/// bytes) of one inflate; another inflates with 1 MiB for both. Bytes or error must agree.
final class GzipFuzzRegressionTests: XCTestCase {
    func testEveryGzipReproducerInflatesTheSameInAnyChunks() throws {
        let directory = FixturePaths.root.appendingPathComponent("Fuzz/regressions/gzip").path
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertFalse(names.isEmpty, "no reproducers in \(directory)")
        for name in names {
            let input = Array(try XCTUnwrap(FileManager.default.contents(atPath: directory + "/" + name)))
            guard let selector = input.first else { continue }
            let bufferSize = 1 + Int(selector)
            let body = Array(input.dropFirst())
            XCTAssertEqual(inflate(body, inputBufferSize: bufferSize, chunk: 1 + bufferSize / 3),
                           inflate(body, inputBufferSize: 1 << 20, chunk: 1 << 20), name)
        }
    }

    /// A corrupt stream whose bad back-reference comes after the last input byte was read: read in
    /// small pieces, it was called truncated (inflate was not run again once the input was all
    /// read); in one piece, corrupt.
    func testCorruptStreamIsCorruptInSmallReads() {
        let path = FixturePaths.root.appendingPathComponent("Fuzz/regressions/gzip/corrupt-stream-reported-as-truncated").path
        guard let input = FileManager.default.contents(atPath: path) else { return XCTFail("missing \(path)") }
        let result = inflate(Array(input.dropFirst()), inputBufferSize: 4096, chunk: 6)
        XCTAssertTrue(result.hasPrefix("error: fuzz: corrupt gzip stream"), result)
    }

    private func inflate(_ body: [UInt8], inputBufferSize: Int, chunk: Int) -> String {
        do {
            let source = try GzipSource(wrapping: MemorySource(bytes: body, name: "fuzz"), inputBufferSize: inputBufferSize)
            return "bytes: \(try source.readAll(chunkSize: chunk))"
        } catch {
            return "error: \(error.description)"
        }
    }
}
