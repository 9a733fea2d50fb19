import XCTest
@testable import BtrfsAccounting
import TraceEvents

/// Deleting any one event that a kernel-printed chain or an exact balance witnesses must give a new
/// warning or error, naming the inode when the event does. Real captures with the work-item events
/// (I2 exact), from 6.1 (lab, no `outstanding=`) and 6.18 (`outstanding=`, several mounts).
final class MutationCoverageTests: XCTestCase {
    enum Category: String, CaseIterable {
        case outstandingUp = "outstanding extents +", outstandingDown = "outstanding extents -"
        case orderedAdd = "ordered extent add", orderedRemove = "ordered extent remove"
        case dataReserve = "bytes_may_use DATA +", dataRelease = "bytes_may_use DATA -"
        case metadataReserve = "bytes_may_use METADATA +", metadataRelease = "bytes_may_use METADATA -"
        case delallocReserve = "delalloc reserve", delallocRelease = "delalloc release"
    }

    /// The category of an event and the inode it names, if any.
    static func classify(_ e: TraceEvent) -> (Category, UInt64?)? {
        switch e.payload {
        case .outstandingExtents(let c) where c.mod != 0: return (c.mod > 0 ? .outstandingUp : .outstandingDown, c.inode)
        case .orderedExtent(let o) where o.step == .add: return (.orderedAdd, o.inode)
        case .orderedExtent(let o) where o.step == .remove: return (.orderedRemove, o.inode)
        case .spaceInfoUpdate(let u) where u.counter == .bytesMayUse && u.diff != 0:
            switch u.space {
            case .data: return (u.diff > 0 ? .dataReserve : .dataRelease, nil)
            case .metadata: return (u.diff > 0 ? .metadataReserve : .metadataRelease, nil)
            default: return nil
            }
        case .spaceReservation(let r) where r.kind == .delalloc && r.bytes > 0:
            return (r.isReserve ? .delallocReserve : .delallocRelease, r.value)
        default: return nil
        }
    }

    /// Every `stride`-th event of each category of each capture (stride 1: all of them).
    static let captures: [(String, Int)] = [
        ("kernel-6.1-qemu/dio-basic/ftrace.txt.gz", 6),
        ("kernel-6.1-qemu/dio-efault/ftrace.txt.gz", 2),
        ("captures/k6.18-default-work/ftrace.txt.gz", 4),
        ("captures/k6.18-quota-work/ftrace.txt.gz", 6),
        ("captures/k6.18-zstd-work/ftrace.txt.gz", 6),
    ]

    func testDeletingAnyWitnessedEventIsFound() throws {
        var tried: [Category: Int] = [:]
        var found: [Category: Int] = [:]
        var missed: [String] = []
        for (capture, stride) in Self.captures {
            let path = FixturePaths.path(capture)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let events = try decodedEvents(path)
            let baseline = replay(events, name: path)
            XCTAssertTrue(baseline.filter { $0.severity >= .warning }.isEmpty, "\(capture) is not clean: \(baseline.map(\.message))")
            // The first event of each bytes_may_use chain has no predecessor whose value it must follow.
            var chainStarts = Set<Int>()
            var seenChains = Set<String>()
            for (i, e) in events.enumerated() {
                if case .spaceInfoUpdate(let u) = e.payload, u.counter == .bytesMayUse {
                    let key = "\(e.filesystem.map { "\($0)" } ?? "-") \(u.space.name)"
                    if seenChains.insert(key).inserted { chainStarts.insert(i) }
                }
            }
            var seen: [Category: Int] = [:]
            for (i, e) in events.enumerated() where !chainStarts.contains(i) {
                guard let (category, inode) = Self.classify(e) else { continue }
                seen[category, default: 0] += 1
                if seen[category]! % stride != 0 { continue }
                tried[category, default: 0] += 1
                let findings = replay(events, name: path, skipping: i).filter { $0.severity >= .warning }
                let named = inode.map { n in findings.contains { $0.inode == n } } ?? !findings.isEmpty
                if named {
                    found[category, default: 0] += 1
                } else if missed.count < 20 {
                    missed.append("\(capture):\(e.origin.line) \(category.rawValue) inode \(inode.map(String.init) ?? "-"): \(findings.map { "\($0.rule.id) inode \($0.inode.map(String.init) ?? "-")" })")
                }
            }
        }
        for c in Category.allCases {
            XCTAssertGreaterThan(tried[c, default: 0], 0, "no \(c.rawValue) event was tried")
            XCTAssertEqual(found[c, default: 0], tried[c, default: 0], "\(c.rawValue): \(found[c, default: 0]) of \(tried[c, default: 0]) deletions found")
        }
        XCTAssertTrue(missed.isEmpty, missed.joined(separator: "\n"))
        print("mutation coverage: " + Category.allCases.map { "\($0.rawValue) \(found[$0, default: 0])/\(tried[$0, default: 0])" }.joined(separator: ", "))
    }
}
