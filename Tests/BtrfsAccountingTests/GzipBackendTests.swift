import Foundation
import XCTest
@testable import TraceInput

/// ISA-L and the zlib fallback on the same inputs: the same bytes, or the same kind of error
/// (truncated, with the same message, or corrupt; see `sameAcrossLibraries`), whatever the read sizes. Without ISA-L the
/// same cases check the zlib fallback alone.
final class GzipBackendTests: XCTestCase {
    private enum Outcome: Equatable {
        case bytes([UInt8])
        case truncated(String)
        case corrupt
    }

    private static let emptyMember: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    private func fixture(_ rel: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path(rel))))
    }

    private func inflate(_ body: [UInt8], _ backend: GzipBackend, inputBufferSize: Int = 1 << 20,
                         chunk: Int = 1 << 20) -> Outcome {
        do {
            let source = try GzipSource(wrapping: MemorySource(bytes: body, name: "in.gz"),
                                        inputBufferSize: inputBufferSize, backend: backend)
            XCTAssertEqual(source.backend, backend)
            return .bytes(try source.readAll(chunkSize: chunk))
        } catch {
            if error.message.hasPrefix("corrupt gzip stream") { return .corrupt }
            return .truncated(error.description)
        }
    }

    /// zlib in one piece gives the reference; zlib in small reads, and ISA-L (where present) in
    /// one piece and in small reads, must give the same. Returns the reference.
    @discardableResult
    private func assertAgree(_ body: [UInt8], _ label: String, file: StaticString = #filePath,
                             line: UInt = #line) -> Outcome {
        let reference = inflate(body, .zlib)
        let backends = GzipBackend.isalAvailable ? GzipBackend.allCases : [.zlib]
        for backend in backends {
            for (buffer, chunk) in [(1 << 20, 1 << 20), (4096, 7), (4096, 65_537), (5000, 1 << 20)] {
                let outcome = inflate(body, backend, inputBufferSize: buffer, chunk: chunk)
                if backend == .zlib ? outcome != reference : !Self.sameAcrossLibraries(outcome, reference) {
                    XCTFail("\(label), \(backend), buffer \(buffer), reads of \(chunk): \(summary(outcome)), zlib \(summary(reference))",
                            file: file, line: line)
                    return reference
                }
            }
        }
        return reference
    }

    /// ISA-L against zlib: the same bytes, the same truncation, or an error where zlib has one.
    /// Which error a bad stream gets first can differ: a trailer cut short after its CRC is
    /// "incorrect data check" for zlib (it checks the CRC as soon as it has it) and truncated for
    /// ISA-L (it waits for the whole trailer): Fuzz/regressions/gzip/trailer-cut-after-crc.
    private static func sameAcrossLibraries(_ isal: Outcome, _ zlib: Outcome) -> Bool {
        if isal == zlib { return true }
        if case .bytes = isal { return false }
        return zlib == .corrupt
    }

    private func summary(_ outcome: Outcome) -> String {
        if case .bytes(let b) = outcome { return "\(b.count) bytes" }
        return "\(outcome)"
    }

    func testPreferredIsIsalWhenPresentAndTheEnvironmentForcesZlib() throws {
        let saved = getenv("DIO_TRACE_GZIP").map { String(cString: $0) }
        defer { if let saved { setenv("DIO_TRACE_GZIP", saved, 1) } else { unsetenv("DIO_TRACE_GZIP") } }
        unsetenv("DIO_TRACE_GZIP")
        XCTAssertEqual(GzipBackend.preferred, GzipBackend.isalAvailable ? .isal : .zlib)
        setenv("DIO_TRACE_GZIP", "zlib", 1)
        XCTAssertEqual(GzipBackend.preferred, .zlib)
        let source = try GzipSource(wrapping: MemorySource(bytes: Self.emptyMember, name: "e.gz"))
        XCTAssertEqual(source.backend, .zlib)
    }

    func testWholeFilesAndConcatenatedMembers() throws {
        let a = try fixture("kernel-6.1-qemu/dio-efault/ftrace.txt.gz")
        let b = try fixture("kernel-6.1-qemu/dio-basic/workload-ftrace.log.gz")
        let whole = assertAgree(a, "one member")
        guard case .bytes(let plainA) = whole else { return XCTFail("fixture does not inflate: \(whole)") }
        XCTAssertFalse(plainA.isEmpty)
        guard case .bytes(let plainB) = assertAgree(b, "small member") else { return XCTFail() }
        XCTAssertEqual(assertAgree(a + b + a, "three members"), .bytes(plainA + plainB + plainA))
        XCTAssertEqual(assertAgree(Self.emptyMember + b + Self.emptyMember, "empty members"), .bytes(plainB))
        XCTAssertEqual(assertAgree(Self.emptyMember, "only an empty member"), .bytes([]))
    }

    func testTruncatedStreams() throws {
        let a = try fixture("kernel-6.1-qemu/dio-efault/ftrace.txt.gz")
        let b = try fixture("kernel-6.1-qemu/dio-basic/workload-ftrace.log.gz")
        let truncated = Outcome.truncated("in.gz: truncated gzip stream (ended before the gzip trailer)")
        XCTAssertEqual(assertAgree([], "empty input"), truncated)
        // Cut in the header, the deflate data, and each byte of the trailer.
        var cuts = [1, 2, 5, 9, 10, 11, 20, a.count / 2]
        cuts += (1...8).map { a.count - $0 }
        for cut in cuts {
            XCTAssertEqual(assertAgree(Array(a.prefix(cut)), "cut at \(cut)"), truncated, "cut at \(cut)")
        }
        // A second member cut short.
        XCTAssertEqual(assertAgree(a + Array(b.prefix(b.count - 3)), "second member cut"), truncated)
    }

    func testCorruptStreams() throws {
        let a = try fixture("kernel-6.1-qemu/dio-efault/ftrace.txt.gz")
        // Bad magic, method, deflate data, CRC-32 and length in the trailer, garbage after a member.
        var cases: [(String, [UInt8])] = []
        for (label, offset) in [("magic", 1), ("method", 2), ("crc", a.count - 6), ("isize", a.count - 2)] {
            var bad = a
            bad[offset] ^= 0x40
            cases.append((label, bad))
        }
        cases.append(("deflate data", Array(a.prefix(40)) + [UInt8](repeating: 0x55, count: 4000)))
        cases.append(("trailing garbage", a + Array("not gzip at all".utf8)))
        // zlib's own wrapper (RFC 1950) is not gzip, first or after a gzip member.
        let zlibWrapped: [UInt8] = [0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xe7, 0x02, 0x00, 0x08, 0x4b, 0x02, 0x1f]
        cases.append(("zlib wrapper", zlibWrapped))
        cases.append(("zlib wrapper after a member", a + zlibWrapped))
        for (label, bytes) in cases {
            XCTAssertEqual(assertAgree(bytes, label), .corrupt, label)
        }
    }

    /// Bit flips all through a small stream: both backends agree (bytes, truncated or corrupt).
    func testBitFlipsAgree() throws {
        let b = try fixture("kernel-6.1-qemu/dio-basic/workload-ftrace.log.gz")
        for offset in stride(from: 10, to: b.count, by: max(1, b.count / 97)) {
            var bad = b
            bad[offset] ^= UInt8(1 << (offset % 8))
            assertAgree(bad, "bit flip at \(offset)")
        }
    }

    /// The Fuzz/ target `gzip`'s reproducers, read as it reads them, through both backends.
    func testFuzzReproducersAgree() throws {
        let directory = FixturePaths.root.appendingPathComponent("Fuzz/regressions/gzip").path
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
            let input = Array(try XCTUnwrap(FileManager.default.contents(atPath: directory + "/" + name)))
            guard let selector = input.first else { continue }
            let body = Array(input.dropFirst())
            let bufferSize = 1 + Int(selector)
            assertAgree(body, name)
            for backend in GzipBackend.allCases where backend == .zlib || GzipBackend.isalAvailable {
                XCTAssertEqual(inflate(body, backend, inputBufferSize: bufferSize, chunk: 1 + bufferSize / 3),
                               inflate(body, backend), "\(name) \(backend)")
            }
        }
        let corrupt = Array(try XCTUnwrap(FileManager.default.contents(
            atPath: directory + "/corrupt-stream-reported-as-truncated")).dropFirst())
        for backend in GzipBackend.allCases where backend == .zlib || GzipBackend.isalAvailable {
            XCTAssertEqual(inflate(corrupt, backend, inputBufferSize: 4096, chunk: 6), .corrupt, "\(backend)")
        }
    }
}
