import Foundation
import TraceDat
import TraceEvents
import TraceInput
import XCTest

/// What must agree between the binary and the text path.
struct EventKey: Equatable, CustomStringConvertible {
    var payload: AccountingEvent
    var filesystem: FilesystemID?
    var pid: Int32
    var cpu: Int32
    /// Microseconds, rounded to nearest as `trace-cmd report` (libtraceevent) prints them.
    var micros: UInt64?

    init(_ e: TraceEvent) {
        payload = e.payload
        filesystem = e.filesystem
        pid = e.pid
        cpu = e.cpu
        micros = e.timestamp.map { ($0 + 500) / 1000 }
    }

    var description: String { "[\(micros.map(String.init) ?? "-") cpu\(cpu) pid\(pid) \(filesystem.map(\.description) ?? "-")] \(payload)" }
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/tracedat")

    /// The committed trace.dat files (v7/zstd as recorded).
    static var datFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".dat") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Where the 6.1 files came from (their `trace-cmd-report.txt(.gz)` was made from the same trace.dat).
    static func sharedScenario(_ url: URL) -> String? {
        let name = url.lastPathComponent
        guard name.hasPrefix("k6.1-"), name.hasSuffix(".dat") else { return nil }
        return String(name.dropFirst(5).dropLast(4))
    }

    static let sharedRoot = "/work/shared/fixtures/kernel-6.1-qemu"

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tracedat-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Runs a tool (through /usr/bin/env); returns stdout unless it is redirected to a file.
@discardableResult
func runTool(_ arguments: [String], stdout: URL? = nil) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    let pipe = Pipe()
    var handle: FileHandle? = nil
    if let stdout {
        FileManager.default.createFile(atPath: stdout.path, contents: nil)
        handle = try FileHandle(forWritingTo: stdout)
        p.standardOutput = handle
    } else {
        p.standardOutput = pipe
    }
    p.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try p.run()
    let data = stdout == nil ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
    p.waitUntilExit()
    try handle?.close()
    guard p.terminationStatus == 0 else {
        throw NSError(domain: "run", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "\(arguments) failed"])
    }
    return data
}

func binaryEvents(_ url: URL) throws -> ([EventKey], TraceDatReader) {
    let reader = try TraceDatReader(path: url.path, fileIndex: 0)
    var out: [EventKey] = []
    try reader.read { out.append(EventKey($0)) }
    return (out, reader)
}

func textEvents(_ path: String) throws -> ([EventKey], TraceStatistics) {
    let (source, format) = try TraceInputOpener.open(path: path)
    let reader = TraceReader(fileIndex: 0, fileName: path)
    var out: [EventKey] = []
    try reader.read(source, format: format) { out.append(EventKey($0)) }
    return (out, reader.statistics)
}

func assertSameEvents(_ a: [EventKey], _ b: [EventKey], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): event counts differ", file: file, line: line)
    if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
        XCTFail("\(what): first difference at event \(i):\n  binary: \(a[i])\n  text:   \(b[i])", file: file, line: line)
    }
}
