import Foundation
import XCTest

/// Real leaks on a real kernel (Fixtures/mutants: Debian 6.1 with a btrfs.ko that reintroduces a
/// leak, see lab/mutants). The kernel itself says where it skipped a release (oracle lines
/// `MUTANT Mn leak ino= pid= comm=`) and warns at umount; the analysis must name every oracle inode
/// with the writing task in an error finding, tie every btrfs_destroy_inode warning to an oracle
/// inode, and say nothing about the control.
final class MutantCaptureTests: XCTestCase {
    static let mutants = CommandLineTests.root.appendingPathComponent("Fixtures/mutants")
    static let variants = ["control", "nocow-release-extents", "efault-skip-release", "efault-skip-meta",
                           "unused-tail-data", "cow-large-release-extents"]
    static let passes = [("ftrace", "ftrace.txt.gz"), ("tracecmd", "trace-cmd-report.txt.gz")]

    struct Oracle: Hashable { var inode: Int; var pid: Int; var comm: String }

    /// `tracecmd MUTANT M4 leak ino=262 root=5 pid=2513 comm=dio_efault bytes=...` lines of one pass.
    func oracles(_ variant: String, pass: String) throws -> Set<Oracle> {
        let url = Self.mutants.appendingPathComponent(variant).appendingPathComponent("oracle.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var out = Set<Oracle>()
        for line in text.split(separator: "\n") where line.hasPrefix(pass + " ") || line.hasPrefix(pass + ":") || line.hasPrefix(pass + "\t") {
            var fields: [String: String] = [:]
            for word in line.split(separator: " ") {
                let kv = word.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
            }
            guard let ino = fields["ino"].flatMap(Int.init), let pid = fields["pid"].flatMap(Int.init), let comm = fields["comm"] else { continue }
            out.insert(Oracle(inode: ino, pid: pid, comm: comm))
        }
        return out
    }

    /// Line numbers (1-based) of `WARNING: ... at ... FUNCTION+` lines of a kernel log.
    func warningLines(_ url: URL, in function: String) throws -> [Int] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var out: [Int] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.contains("WARNING: CPU:") && line.contains(" \(function)+") {
            out.append(i + 1)
        }
        return out
    }

    func testEveryOracleInodeIsNamedAndEveryWarningTiedToIt() throws {
        guard FileManager.default.fileExists(atPath: Self.mutants.path) else { throw XCTSkip("no Fixtures/mutants") }
        var named = 0, warningsTied = 0
        for variant in Self.variants {
            for (pass, trace) in Self.passes {
                let dir = Self.mutants.appendingPathComponent(variant)
                let dmesg = dir.appendingPathComponent("dmesg-\(pass).txt")
                let r = try CommandLineTests.run(["analyze", "--format", "json", "--dmesg", dmesg.path, dir.appendingPathComponent(trace).path])
                let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], "\(variant) \(pass): \(r.err)")
                let findings = report["findings"] as? [[String: Any]] ?? []
                let errors = findings.filter { $0["severity"] as? String == "error" }
                let truth = try oracles(variant, pass: pass)
                if variant == "control" {
                    XCTAssertTrue(truth.isEmpty)
                    XCTAssertEqual(r.status, 0, "control \(pass): \(errors.map { $0["message"] ?? "" })")
                    XCTAssertTrue(findings.isEmpty, "control \(pass) has findings: \(findings.map { $0["rule"] ?? "" })")
                    continue
                }
                XCTAssertFalse(truth.isEmpty, "\(variant) \(pass): no oracle lines")
                XCTAssertEqual(r.status, 1)
                for o in truth {
                    let hit = errors.contains { f in
                        guard (f["inode"] as? Int) == o.inode else { return false }
                        let io = f["io"] as? [String: Any]
                        let byIO = (io?["task"] as? String) == o.comm && (io?["pid"] as? Int) == o.pid
                        let byMessage = (f["message"] as? String)?.contains("\(o.comm)-\(o.pid)") ?? false
                        return byIO || byMessage
                    }
                    XCTAssertTrue(hit, "\(variant) \(pass): oracle inode \(o.inode) of \(o.comm)-\(o.pid) is not named by an error finding with its task")
                    if hit { named += 1 }
                }
                // Each btrfs_destroy_inode warning goes to exactly one inode, and that inode leaked.
                let oracleInodes = Set(truth.map(\.inode))
                for line in try warningLines(dmesg, in: "btrfs_destroy_inode") {
                    let holders = Set(findings.filter { f in
                        (f["reports"] as? [[String: Any]] ?? []).contains { ($0["line"] as? Int) == line }
                    }.compactMap { $0["inode"] as? Int })
                    XCTAssertEqual(holders.count, 1, "\(variant) \(pass): dmesg line \(line) is tied to inodes \(holders.sorted())")
                    XCTAssertTrue(holders.isSubset(of: oracleInodes), "\(variant) \(pass): dmesg line \(line) tied to \(holders.sorted()), oracle inodes \(oracleInodes.sorted())")
                    if holders.count == 1 && holders.isSubset(of: oracleInodes) { warningsTied += 1 }
                }
                // Space warnings at unmount go to a filesystem-wide finding.
                for line in try warningLines(dmesg, in: "check_removing_space_info") {
                    XCTAssertTrue(findings.contains { f in
                        f["inode"] is NSNull || f["inode"] == nil ? (f["reports"] as? [[String: Any]] ?? []).contains { ($0["line"] as? Int) == line } : false
                    }, "\(variant) \(pass): space warning at dmesg line \(line) is not attached")
                }
            }
        }
        print("mutant captures: \(named) oracle (inode, task) pairs named by error findings, \(warningsTied) btrfs_destroy_inode warnings tied to their inode")
        XCTAssertGreaterThanOrEqual(named, 30)
        XCTAssertGreaterThanOrEqual(warningsTied, 60)
    }

    /// `--dmesg` reads a gzipped kernel log like a plain one (it was silently empty before).
    func testGzippedKernelLogGivesTheSameLinks() throws {
        guard FileManager.default.fileExists(atPath: Self.mutants.path) else { throw XCTSkip("no Fixtures/mutants") }
        let dir = Self.mutants.appendingPathComponent("nocow-release-extents")
        let plain = dir.appendingPathComponent("dmesg-ftrace.txt")
        let gz = FileManager.default.temporaryDirectory.appendingPathComponent("dmesg-\(getpid()).txt.gz")
        defer { try? FileManager.default.removeItem(at: gz) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -9nc '\(plain.path)' > '\(gz.path)'"]
        try p.run()
        p.waitUntilExit()
        let trace = dir.appendingPathComponent("ftrace.txt.gz").path
        let a = try CommandLineTests.run(["analyze", "--format", "json", "--dmesg", plain.path, trace])
        let b = try CommandLineTests.run(["analyze", "--format", "json", "--dmesg", gz.path, trace])
        XCTAssertEqual(a.status, 1)
        XCTAssertEqual(b.status, 1)
        XCTAssertTrue(a.out.contains("WARNING in btrfs_destroy_inode"))
        XCTAssertEqual(a.out.components(separatedBy: "\"title\"").count, b.out.components(separatedBy: "\"title\"").count)
    }

    /// A gzipped trace.dat (and one on stdin) is read, and gives the findings of its own report text.
    func testGzippedTraceDatMatchesItsReport() throws {
        guard FileManager.default.fileExists(atPath: Self.mutants.path) else { throw XCTSkip("no Fixtures/mutants") }
        func findings(_ r: (status: Int32, out: String, err: String)) throws -> [String] {
            let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.err)
            return (report["findings"] as? [[String: Any]] ?? []).map { "\($0["rule"] ?? "") \($0["inode"] ?? "-") \($0["severity"] ?? "")" }.sorted()
        }
        for variant in ["efault-skip-meta", "nocow-release-extents"] {
            let dir = Self.mutants.appendingPathComponent(variant)
            let dat = try findings(try CommandLineTests.run(["analyze", "--format", "json", dir.appendingPathComponent("trace.dat.gz").path]))
            let text = try findings(try CommandLineTests.run(["analyze", "--format", "json", dir.appendingPathComponent("trace-cmd-report.txt.gz").path]))
            XCTAssertFalse(dat.isEmpty, variant)
            XCTAssertEqual(dat, text, variant)
        }
        let plain = CommandLineTests.root.appendingPathComponent("Fixtures/tracedat/k6.1-dio-basic.dat")
        let viaStdin = try CommandLineTests.run(["analyze", "--format", "json", "-"], stdin: try Data(contentsOf: plain))
        let direct = try CommandLineTests.run(["analyze", "--format", "json", plain.path])
        XCTAssertEqual(viaStdin.status, 0, viaStdin.err)
        XCTAssertEqual(try findings(viaStdin), try findings(direct))
        XCTAssertTrue(viaStdin.out.contains("\"events\":"), viaStdin.out.prefix(200).description)
    }

    /// A warning whose call trace was trimmed (as posted to lists, or a 4.x kernel printing only `?`
    /// frames) is still tied by the function its header names.
    func testWarningsWithoutCallTraceAreTiedByTheirHeader() throws {
        guard FileManager.default.fileExists(atPath: Self.mutants.path) else { throw XCTSkip("no Fixtures/mutants") }
        let dir = Self.mutants.appendingPathComponent("nocow-release-extents")
        let full = try String(contentsOf: dir.appendingPathComponent("dmesg-ftrace.txt"), encoding: .utf8)
        // Keep every line except the frames and register dumps of each report.
        var inReport = false
        var kept: [Substring] = []
        for line in full.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.contains("WARNING: CPU:") { inReport = true; kept.append(line); continue }
            if line.contains("---[ end trace") { inReport = false; kept.append(line); continue }
            if !inReport { kept.append(line) }
        }
        let trimmed = FileManager.default.temporaryDirectory.appendingPathComponent("trimmed-\(getpid()).txt")
        try kept.joined(separator: "\n").write(to: trimmed, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: trimmed) }
        let r = try CommandLineTests.run(["analyze", "--format", "json", "--dmesg", trimmed.path, dir.appendingPathComponent("ftrace.txt.gz").path])
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.err)
        let findings = report["findings"] as? [[String: Any]] ?? []
        let lines = try warningLines(trimmed, in: "btrfs_destroy_inode")
        XCTAssertEqual(lines.count, 6)
        for line in lines {
            let holders = Set(findings.filter { f in (f["reports"] as? [[String: Any]] ?? []).contains { ($0["line"] as? Int) == line } }
                .compactMap { $0["inode"] as? Int })
            XCTAssertEqual(holders.count, 1, "line \(line): \(holders)")
            XCTAssertTrue(holders.isSubset(of: [259, 260]), "line \(line): \(holders)")
        }
    }
}
