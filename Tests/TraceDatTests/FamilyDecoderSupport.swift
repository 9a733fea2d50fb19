import Foundation
@testable import TraceDat
@testable import TraceEvents
import XCTest

/// A value of one record field, written at the field's offset and size (strings as
/// `__data_loc char[]`: the bytes after the fixed fields, the field holding length << 16 | offset).
enum FieldValue {
    case number(UInt64)
    case negative(Int64)
    case string(String)
    case fsid(FilesystemID)
}

/// One tracepoint variant: the kernel's `format` file (under `Fixtures/formats`), field values,
/// the payload the kernel's TP_printk prints for them, and the event both must decode to.
struct ParityCase {
    var format: String
    var values: [String: FieldValue]
    var text: String
    var expected: AccountingEvent
    var line: UInt = #line

    init(_ format: String, _ values: [String: FieldValue], text: String, _ expected: AccountingEvent, line: UInt = #line) {
        self.format = format
        self.values = values
        self.text = text
        self.expected = expected
        self.line = line
    }
}

enum FormatFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/formats")

    static func format(_ name: String) throws -> EventFormat {
        let text = try Data(contentsOf: directory.appendingPathComponent(name + ".format"))
        let format = text.withUnsafeBytes { EventFormat(system: "btrfs", text: $0) }
        return try XCTUnwrap(format, "\(name).format does not parse")
    }

    /// A little-endian record for `format` holding `values`; fails on a name the format lacks.
    static func record(_ format: EventFormat, _ values: [String: FieldValue], file: StaticString = #filePath, line: UInt) -> [UInt8] {
        let fixedEnd = format.fields.values.map { $0.offset + $0.size }.max() ?? 8
        var bytes = [UInt8](repeating: 0, count: fixedEnd)
        func put(_ value: UInt64, at offset: Int, size: Int) {
            for k in 0..<size { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        }
        put(UInt64(format.id), at: 0, size: 2)
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let f = format.fields[name] else {
                XCTFail("\(format.name): no field \(name)", file: file, line: line)
                continue
            }
            switch value {
            case .number(let v): put(v, at: f.offset, size: f.size)
            case .negative(let v): put(UInt64(bitPattern: v), at: f.offset, size: f.size)
            case .fsid(let id):
                put(id.high.bigEndian, at: f.offset, size: 8)
                put(id.low.bigEndian, at: f.offset + 8, size: 8)
            case .string(let s):
                let data = Array(s.utf8) + [0]
                let start = bytes.count - (f.relative ? f.offset + f.size : 0)
                bytes += data
                put(UInt64(data.count) << 16 | UInt64(start), at: f.offset, size: 4)
            }
        }
        return bytes
    }

    /// Decodes `text` (a payload as printed after `name: `) with the text path.
    static func decodeText(_ name: String, _ text: String) -> (event: AccountingEvent?, filesystem: FilesystemID?) {
        let decoder = EventDecoder()
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { raw in
            let p = UnsafeRawBufferPointer(raw)
            let r = decoder.decode(DecoderKind.forName(name), name: InternedString(name), p, 0, p.count)
            return (r.event, r.filesystem)
        }
    }

    /// Function names from a table (a trace.dat's kallsyms, as the test case gives them).
    final class TableNames: FunctionNaming {
        let table: [UInt64: String]
        init(_ table: [UInt64: String]) { self.table = table }
        func name(at address: UInt64) -> String? { table[address] }
    }

    /// Decodes a record with the binary path (`EventDescriptor` + `RecordDecoder`).
    static func decodeRecord(_ format: EventFormat, _ record: [UInt8], kallsyms: [UInt64: String]) -> AccountingEvent? {
        let descriptor = EventDescriptor(format: format, modernFlags: nil)
        let decoder = RecordDecoder(swapBytes: false, functionNames: TableNames(kallsyms))
        return record.withUnsafeBytes { decoder.decode(descriptor, $0) }
    }

    /// Asserts that both paths decode the case to its expected event (and the text path to the
    /// filesystem of the record's fsid).
    static func check(_ c: ParityCase, kallsyms: [UInt64: String] = [:], file: StaticString = #filePath) throws {
        let format = try Self.format(c.format)
        let name = format.name
        let text = decodeText(name, c.text)
        XCTAssertEqual(text.event, c.expected, "\(c.format): text path", file: file, line: c.line)
        if case .fsid(let id)? = c.values["fsid"], c.text.hasPrefix(id.description + ":") {
            XCTAssertEqual(text.filesystem, id, "\(c.format): fsid prefix", file: file, line: c.line)
        }
        let record = record(format, c.values, file: file, line: c.line)
        XCTAssertEqual(decodeRecord(format, record, kallsyms: kallsyms), c.expected, "\(c.format): binary path", file: file, line: c.line)
    }
}
