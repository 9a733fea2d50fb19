@testable import BtrfsAccounting
import TraceEvents
import XCTest

/// The ledger's keys hash without SipHash (LedgerKeyHash): equal keys must hash equally, every
/// field must count, and the inode numbers of a real filesystem (small, sequential, one root)
/// must spread over a table's buckets.
final class LedgerKeyHashTests: XCTestCase {
    private let fs = FilesystemID(high: 0x9024_b9da_62f2_4790, low: 0xb92f_7419_5a51_eb65)

    func testEveryFieldChangesTheHash() {
        let key = InodeKey(filesystem: fs, root: 5, inode: 257)
        let seed = 0x1234_5678
        var variants = [
            InodeKey(filesystem: nil, root: 5, inode: 257),
            InodeKey(filesystem: FilesystemID(high: 0, low: 0), root: 5, inode: 257),
            InodeKey(filesystem: FilesystemID(high: fs.high ^ 1, low: fs.low), root: 5, inode: 257),
            InodeKey(filesystem: FilesystemID(high: fs.high, low: fs.low ^ 1), root: 5, inode: 257),
            InodeKey(filesystem: fs, root: 256, inode: 257),
            InodeKey(filesystem: fs, root: 5, inode: 258),
        ]
        variants.append(InodeKey(filesystem: fs, root: 257, inode: 5))  // swapped words
        for other in variants {
            XCTAssertNotEqual(key._rawHashValue(seed: seed), other._rawHashValue(seed: seed), "\(other)")
        }
        XCTAssertEqual(key._rawHashValue(seed: seed), InodeKey(filesystem: fs, root: 5, inode: 257)._rawHashValue(seed: seed))
        XCTAssertNotEqual(key._rawHashValue(seed: seed), key._rawHashValue(seed: seed + 1))
        let a = Ledger.SpaceKey(filesystem: fs, space: .data), b = Ledger.SpaceKey(filesystem: fs, space: .metadata)
        XCTAssertNotEqual(a._rawHashValue(seed: seed), b._rawHashValue(seed: seed))
        XCTAssertNotEqual(ValueChainKey.bytesMayUse(a)._rawHashValue(seed: seed), ValueChainKey.bytesMayUse(b)._rawHashValue(seed: seed))
        XCTAssertNotEqual(Ledger.PidInode(pid: 1, inode: 2)._rawHashValue(seed: seed), Ledger.PidInode(pid: 2, inode: 1)._rawHashValue(seed: seed))
    }

    func testSequentialInodesSpreadOverBuckets() {
        // 65,536 inodes of one subvolume into 2^17 buckets (a dictionary's load of 1/2): a uniform
        // hash leaves 2^17 * 0.5 * e^-0.5 = 39,750 buckets with exactly one (60.7% of the keys, a
        // standard deviation of ~170) and no bucket with more than ~8. Measured: 38,579 (58.9%).
        let buckets = 1 << 17
        var counts = [UInt8](repeating: 0, count: buckets)
        for inode in UInt64(257)..<(257 + 65_536) {
            let h = InodeKey(filesystem: fs, root: 5, inode: inode)._rawHashValue(seed: 0x5eed)
            counts[h & (buckets - 1)] &+= 1
        }
        XCTAssertLessThanOrEqual(counts.max() ?? 0, 9)
        let alone = counts.filter { $0 == 1 }.count
        XCTAssertGreaterThan(alone, 65_536 * 56 / 100)
    }

    func testDictionaryFindsEveryKey() {
        var table: [InodeKey: UInt64] = [:]
        for root in UInt64(5)..<9 { for inode in UInt64(256)..<2_256 { table[InodeKey(filesystem: fs, root: root, inode: inode)] = root &* 10_000 &+ inode } }
        table[InodeKey(filesystem: nil, root: 5, inode: 256)] = 1
        XCTAssertEqual(table.count, 8_001)
        for root in UInt64(5)..<9 { for inode in UInt64(256)..<2_256 {
            XCTAssertEqual(table[InodeKey(filesystem: fs, root: root, inode: inode)], root &* 10_000 &+ inode)
        } }
        XCTAssertEqual(table[InodeKey(filesystem: nil, root: 5, inode: 256)], 1)
    }

    func testTaskKeysSpreadAndAreFound() {
        // Pids of a real system: sequential, some negative (-1: no task), and the kernel's own.
        let seed = 0x7a5c
        XCTAssertNotEqual(TaskKey(1)._rawHashValue(seed: seed), TaskKey(2)._rawHashValue(seed: seed))
        XCTAssertNotEqual(TaskKey(-1)._rawHashValue(seed: seed), TaskKey(Int32.max)._rawHashValue(seed: seed))
        XCTAssertNotEqual(TaskKey(7)._rawHashValue(seed: seed), TaskKey(7)._rawHashValue(seed: seed + 1))
        let buckets = 1 << 15
        var counts = [UInt8](repeating: 0, count: buckets)
        for pid in Int32(1_000)..<(1_000 + 16_384) { counts[TaskKey(pid)._rawHashValue(seed: seed) & (buckets - 1)] &+= 1 }
        // Uniform: 2^15 * 0.5 * e^-0.5 = 9,937 single buckets (60.7% of the keys).
        XCTAssertGreaterThan(counts.filter { $0 == 1 }.count, 16_384 * 56 / 100)
        XCTAssertLessThanOrEqual(counts.max() ?? 0, 9)
        var table: [TaskKey: Int32] = [:]
        for pid in Int32(-3)..<5_000 { table[TaskKey(pid)] = pid &* 3 }
        XCTAssertEqual(table.count, 5_003)
        for pid in Int32(-3)..<5_000 { XCTAssertEqual(table[TaskKey(pid)], pid &* 3) }
        XCTAssertNil(table[TaskKey(5_000)])
    }
}
