import Foundation
import XCTest

/// Builds the C fixtures under Fixtures/elf with gcc at test time and runs the reference tools.
struct FixtureBuilder {
    static let sourceDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/elf").path

    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "elfsym-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory + "/" + name }
    func source(_ name: String) -> String { Self.sourceDirectory + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// vmlinux-like executable (ET_EXEC, -no-pie) with inlined helpers and duplicate static `helper`s.
    func buildProgram(debugInfo: Bool = true, name: String = "prog") throws -> String {
        let output = path(name)
        var args = ["-O2", "-no-pie", "-o", output, source("main.c"), source("dup_a.c"), source("dup_b.c")]
        if debugInfo { args.insert("-g", at: 0) }
        try Self.run("gcc", args)
        return output
    }

    /// Module-like relocatable object, saved as `<dir>/modules/<name>.ko`.
    func buildModule(name: String = "testmod") throws -> String {
        let modules = path("modules/kernel/fs")
        try FileManager.default.createDirectory(atPath: modules, withIntermediateDirectories: true)
        let output = modules + "/\(name).ko"
        try Self.run("gcc", ["-c", "-g", "-O2", "-o", output, source("module.c")])
        return output
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "FixtureBuilder", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments.joined(separator: " ")) failed"])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Symbols of `nm -S` with a size: name -> [(address, size)].
    static func functions(of object: String) throws -> [(name: String, address: UInt64, size: UInt64)] {
        try run("nm", ["-S", object]).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 4, "tT".contains(parts[2]),
                  let address = UInt64(parts[0], radix: 16), let size = UInt64(parts[1], radix: 16) else { return nil }
            return (String(parts[3]), address, size)
        }
    }

    /// `eu-addr2line -a -i -f -e object QUERIES...`, split into one block of lines per query
    /// (without the address line).
    static func euAddr2line(_ object: String, _ queries: [String], extra: [String] = []) throws -> [[String]] {
        let output = try run("eu-addr2line", ["-a", "-i", "-f", "-e", object] + extra + queries)
        var blocks: [[String]] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("0x") { blocks.append([]) }
            else if !line.isEmpty, !blocks.isEmpty { blocks[blocks.count - 1].append(String(line)) }
        }
        return blocks
    }
}
