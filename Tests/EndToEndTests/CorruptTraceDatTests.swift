import Foundation
import XCTest

/// A corrupt, truncated or hostile trace.dat gets one line on stderr naming the file and exit 2
/// from `analyze`, never a signal (libtraceevent/libtracecmd crashed on some before trace.dat was read natively).
final class CorruptTraceDatTests: XCTestCase {
    static let corrupt = CommandLineTests.root.appendingPathComponent("Fixtures/tracedat/corrupt")
    static let tracedat = CommandLineTests.root.appendingPathComponent("Fixtures/tracedat")

    /// Runs `analyze` and fails unless it exited (no signal) with 0, 1, or 2 and one line naming `name`.
    @discardableResult
    func assertNoSignal(_ args: [String], stdin: Data? = nil, naming name: String,
                        file: StaticString = #filePath, line: UInt = #line) throws -> Int32 {
        // A private TMPDIR: the temporary copy of a gzip/stdin trace.dat must not outlive a crash.
        let tmp = try temporaryDirectory().appendingPathComponent("tmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer {
            XCTAssertEqual(try? FileManager.default.contentsOfDirectory(atPath: tmp.path), [], "\(name): files left in TMPDIR", file: file, line: line)
        }
        let p = Process()
        p.executableURL = CommandLineTests.binary
        p.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": tmp.path]) { $1 }
        p.arguments = ["analyze", "--format", "json"] + args
        let err = Pipe(), input = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "\(name): killed by signal \(p.terminationStatus)", file: file, line: line)
        let status = p.terminationStatus
        XCTAssertTrue([0, 1, 2].contains(status), "\(name): exit \(status)", file: file, line: line)
        if status == 2 {
            let lines = e.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(name): \(e)", file: file, line: line)
            XCTAssertTrue(e.hasPrefix("dio-trace: \(name):"), "\(name): \(e)", file: file, line: line)
        }
        return status
    }

    private var scratch: URL?

    func temporaryDirectory() throws -> URL {
        if let scratch { return scratch }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dio-trace-corrupt-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        scratch = dir
        return dir
    }

    /// The patched fixtures of `patches.txt`, written to `dir`.
    func patchedInputs(in dir: URL) throws -> [URL] {
        let text = try String(contentsOf: Self.corrupt.appendingPathComponent("patches.txt"), encoding: .utf8)
        var out: [URL] = []
        for (n, row) in text.split(separator: "\n").enumerated() where !row.hasPrefix("#") {
            let fields = row.split(separator: " ")
            var bytes = [UInt8](try Data(contentsOf: Self.tracedat.appendingPathComponent(String(fields[0]))))
            for patch in fields.dropFirst() {
                let parts = patch.split(whereSeparator: { $0 == ":" || $0 == ">" })
                let offset = try XCTUnwrap(Int(parts[0])), old = try XCTUnwrap(UInt8(parts[1], radix: 16))
                XCTAssertEqual(bytes[offset], old, "patches.txt line \(n + 1): the fixture changed")
                bytes[offset] = try XCTUnwrap(UInt8(parts[2], radix: 16))
            }
            let url = dir.appendingPathComponent("patched-\(n + 1)-\(fields[0])")
            try Data(bytes).write(to: url)
            out.append(url)
        }
        return out
    }

    func testRegressionInputsExitTwoWithOneLineNamingTheFile() throws {
        let dir = try temporaryDirectory()
        let files = try FileManager.default.contentsOfDirectory(at: Self.corrupt, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(".dat.gz") }.sorted { $0.path < $1.path }
        // The patched fixtures crashed libtraceevent in its format parser; the native reader does
        // not parse what they changed (print formats) or reads a changed event name as a name: they
        // are read (exit 0) or refused with one line (exit 2), never a signal.
        let patched = try patchedInputs(in: dir)
        XCTAssertGreaterThanOrEqual(patched.count, 4)
        for url in patched { _ = try assertNoSignal([url.path], naming: url.path) }
        // The trappy files are cut inside their event formats: refused, naming the .gz as given.
        XCTAssertGreaterThanOrEqual(files.count, 2)
        for url in files {
            XCTAssertEqual(try assertNoSignal([url.path], naming: url.path), 2, url.lastPathComponent)
        }
        // Also on stdin, and after a good input (the message names the corrupt one).
        let first = try XCTUnwrap(files.first)
        XCTAssertEqual(try assertNoSignal(["-"], stdin: try Data(contentsOf: first), naming: "<stdin>"), 2)
        let good = Self.tracedat.appendingPathComponent("k6.1-dio-aio.dat").path
        XCTAssertEqual(try assertNoSignal([good, first.path], naming: first.path), 2)
    }

    /// A named pipe (or `<(zcat ...)`) is read once: detecting its format reads no input twice.
    func testPipesAreReadOnceWhateverTheFormat() throws {
        let dir = try temporaryDirectory()
        for input in ["Fixtures/synthetic/seed-4.2-generic-095/trace.txt", "Fixtures/tracedat/k6.1-dio-basic.dat"] {
            let file = CommandLineTests.root.appendingPathComponent(input).path
            let fifo = dir.appendingPathComponent("fifo-\(UUID().uuidString)").path
            XCTAssertEqual(mkfifo(fifo, 0o600), 0)
            let writer = Process()
            writer.executableURL = URL(fileURLWithPath: "/bin/sh")
            writer.arguments = ["-c", "cat \"$0\" > \"$1\"", file, fifo]
            try writer.run()
            let viaPipe = try CommandLineTests.run(["analyze", "--format", "json", fifo])
            writer.waitUntilExit()
            let direct = try CommandLineTests.run(["analyze", "--format", "json", file])
            XCTAssertEqual(viaPipe.status, direct.status, viaPipe.err)
            // Same statistics and findings; only the file name differs.
            XCTAssertEqual(viaPipe.out.replacingOccurrences(of: fifo, with: file), direct.out, input)
        }
    }

    /// Truncations, byte flips in the header and format sections and huge size fields of real
    /// trace.dat files, generated here with a fixed seed; bounded to a few seconds.
    func testGeneratedCorruptionsNeverKillAnalyze() throws {
        let dir = try temporaryDirectory()
        let sources = ["k6.1-dio-basic.dat", "k6.18-nocow-dio.dat"].map { Self.tracedat.appendingPathComponent($0) }
        var rng = SeededGenerator(seed: 0xDA7)
        let deadline = Date().addingTimeInterval(6)
        var runs = 0, rejected = 0
        outer: for round in 0..<40 {
            for source in sources {
                guard Date() < deadline else { break outer }
                var bytes = [UInt8](try Data(contentsOf: source))
                switch round % 4 {
                case 0: bytes = Array(bytes.prefix(Int(rng.next() % UInt64(round < 20 ? 4096 : bytes.count))))
                case 1, 2:
                    for _ in 0..<(1 + rng.next() % 6) { bytes[Int(rng.next() % 4096)] = UInt8(truncatingIfNeeded: rng.next()) }
                default:
                    let at = 16 + Int(rng.next() % 4000)
                    let huge: [UInt64] = [0xFFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF, 0x5_0000_0000, .max]
                    withUnsafeBytes(of: huge[Int(rng.next() % 4)].littleEndian) { bytes.replaceSubrange(at..<at + 8, with: $0) }
                }
                let url = dir.appendingPathComponent("mutant-\(round)-\(source.lastPathComponent)")
                try Data(bytes).write(to: url)
                if try assertNoSignal([url.path], naming: url.path) == 2 { rejected += 1 }
                runs += 1
            }
        }
        XCTAssertGreaterThanOrEqual(runs, 20)
        XCTAssertGreaterThan(rejected, 0)
    }
}

/// SplitMix64: a fixed seed gives the same mutants on every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
