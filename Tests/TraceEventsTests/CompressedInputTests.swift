import Foundation
import TraceInput
import XCTest

/// The input opener reads gzip, xz and zstd by their magic (files made by the system's own gzip, xz and
/// zstd tools), including concatenated streams, and reports truncation and corruption as one-line errors.
final class CompressedInputTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dio-compressed-\(getpid())-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Compresses `text` with `tool` (`gzip -c`, `xz -c`, `zstd -q -c`) into a file.
    private func compressed(_ text: String, _ tool: [String], name: String) throws -> String {
        let plain = directory.appendingPathComponent(name + ".plain")
        try Data(text.utf8).write(to: plain)
        let output = directory.appendingPathComponent(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = tool + [plain.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw XCTSkip("\(tool[0]) is not installed") }
        try data.write(to: output)
        return output.path
    }

    static let tools: [(name: String, command: [String])] = [("gz", ["gzip", "-c"]), ("xz", ["xz", "-c"]),
                                                             ("zst", ["zstd", "-q", "-c"])]

    func testEachCompressionRoundTrips() throws {
        let text = (0..<20_000).map { "[ \($0).000000] line \($0) of a kernel log\n" }.joined()
        for tool in Self.tools {
            let path = try compressed(text, tool.command, name: "log.\(tool.name)")
            XCTAssertEqual(try InputOpener.open(path: path).readAll(), Array(text.utf8), tool.name)
        }
    }

    func testConcatenatedStreamsAreRead() throws {
        for tool in Self.tools {
            let first = try compressed("first\n", tool.command, name: "a.\(tool.name)")
            let second = try compressed("second\n", tool.command, name: "b.\(tool.name)")
            let joined = directory.appendingPathComponent("joined.\(tool.name)")
            try (try Data(contentsOf: URL(fileURLWithPath: first)) + Data(contentsOf: URL(fileURLWithPath: second))).write(to: joined)
            XCTAssertEqual(String(decoding: try InputOpener.open(path: joined.path).readAll(), as: UTF8.self), "first\nsecond\n",
                           tool.name)
        }
    }

    func testTruncatedAndCorruptStreamsAreErrorsNamingTheFile() throws {
        let text = (0..<5_000).map { "line \($0) with some text to compress\n" }.joined()
        for tool in Self.tools {
            let path = try compressed(text, tool.command, name: "whole.\(tool.name)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let truncated = directory.appendingPathComponent("cut.\(tool.name)")
            try bytes.prefix(bytes.count / 2).write(to: truncated)
            XCTAssertThrowsError(try InputOpener.open(path: truncated.path).readAll(), tool.name) { error in
                XCTAssertTrue("\(error)".hasPrefix(truncated.path + ": "), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
            var flipped = [UInt8](bytes)
            for index in stride(from: 16, to: flipped.count - 16, by: 7) { flipped[index] ^= 0x5a }
            let corrupt = directory.appendingPathComponent("bad.\(tool.name)")
            try Data(flipped).write(to: corrupt)
            XCTAssertThrowsError(try InputOpener.open(path: corrupt.path).readAll(), tool.name)
        }
    }
}
