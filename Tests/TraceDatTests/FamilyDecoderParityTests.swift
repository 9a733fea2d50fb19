@testable import TraceDat
@testable import TraceEvents
import XCTest

/// Every tracepoint family, in every format variant from 4.x to 6.18, through both paths: the
/// kernel's `format` file (`Fixtures/formats/<version>/<event>.format`, see its README), a binary
/// record built for it, and the text the kernel's TP_printk prints for the same values. Both must
/// decode to the same `AccountingEvent`.
final class FamilyDecoderParityTests: XCTestCase {
    static let fsid = FilesystemID(high: 0x3c1e_2f54_8b0d_4f4a, low: 0x9a53_6a3b_2c1d_0e9f)
    static let fs = "3c1e2f54-8b0d-4f4a-9a53-6a3b2c1d0e9f: "
    let fsid = FieldValue.fsid(FamilyDecoderParityTests.fsid)
    let fs = FamilyDecoderParityTests.fs

    func run(_ cases: [ParityCase], kallsyms: [UInt64: String] = [:]) throws {
        for c in cases { try FormatFixtures.check(c, kallsyms: kallsyms) }
    }

    func testSpaceReservation() throws {
        func event(_ kind: SpaceReservation.Kind, _ val: UInt64, _ reserve: Bool, _ bytes: UInt64) -> AccountingEvent {
            .spaceReservation(SpaceReservation(kind: kind, value: val, isReserve: reserve, bytes: bytes))
        }
        try run([
            ParityCase("4.1/btrfs_space_reservation", ["fsid": fsid, "type": .string("space_info"), "val": .number(1), "bytes": .number(65536), "reserve": .number(1)],
                       text: fs + "space_info: 1 reserve 65536", event(.spaceInfo(.data), 1, true, 65536)),
            ParityCase("4.8/btrfs_space_reservation", ["fsid": fsid, "type": .string("orphan"), "val": .number(257), "bytes": .number(16384), "reserve": .number(0)],
                       text: fs + "orphan: 257 release 16384", event(.orphan, 257, false, 16384)),
            ParityCase("6.1/btrfs_space_reservation", ["fsid": fsid, "type": .string("space_info:enospc"), "val": .number(4), "bytes": .number(16384), "reserve": .number(1)],
                       text: fs + "space_info:enospc: 4 reserve 16384", event(.spaceInfoENOSPC(.metadata), 4, true, 16384)),
            ParityCase("6.1/btrfs_space_reservation", ["fsid": fsid, "type": .string("delalloc"), "val": .number(257), "bytes": .number(655360), "reserve": .number(1)],
                       text: fs + "delalloc: 257 reserve 655360", event(.delalloc, 257, true, 655360)),
            ParityCase("6.18/btrfs_space_reservation", ["fsid": fsid, "type": .string("local_delayed_refs_rsv"), "val": .number(0), "bytes": .number(4096), "reserve": .number(0)],
                       text: fs + "local_delayed_refs_rsv: 0 release 4096", event(.localDelayedRefsReserve, 0, false, 4096)),
            // trace-cmd report -R (6.18 sample): the same fields by name.
            ParityCase("6.18/btrfs_space_reservation", ["fsid": fsid, "type": .string("space_info"), "val": .number(1), "bytes": .number(65536), "reserve": .number(1)],
                       text: "fsid=ARRAY[3c, 1e, 2f, 54, 8b, 0d, 4f, 4a, 9a, 53, 6a, 3b, 2c, 1d, 0e, 9f] type=space_info val=1 bytes=65536 reserve=1",
                       event(.spaceInfo(.data), 1, true, 65536)),
            ParityCase("6.18/btrfs_space_reservation", ["fsid": fsid, "type": .string("block_rsv"), "val": .number(0), "bytes": .number(1), "reserve": .number(1)],
                       text: fs + "block_rsv: 0 reserve 1", event(.other("block_rsv"), 0, true, 1)),
        ])
    }

    func testSpaceInfoUpdateAndTicket() throws {
        try run([
            ParityCase("6.1/update_bytes_may_use", ["fsid": fsid, "type": .number(1), "old": .number(0), "diff": .number(65536)],
                       text: fs + "type=DATA old=0 diff=65536",
                       .spaceInfoUpdate(SpaceInfoUpdate(counter: .bytesMayUse, space: .data, old: 0, diff: 65536))),
            ParityCase("6.18/update_bytes_may_use", ["fsid": fsid, "type": .number(4 | 32), "old": .number(655360), "diff": .negative(-16384)],
                       text: fs + "type=METADATA|DUP old=655360 diff=-16384",
                       .spaceInfoUpdate(SpaceInfoUpdate(counter: .bytesMayUse, space: .metadata, old: 655360, diff: -16384))),
            ParityCase("6.1/btrfs_reserve_ticket", ["fsid": fsid, "flags": .number(4), "bytes": .number(16384), "start_ns": .number(1862004217), "flush": .number(5), "error": .number(0)],
                       text: fs + "flags=METADATA bytes=16384 start_ns=1862004217 flush=FLUSH_ALL error=0",
                       .reservationTicket(ReservationTicket(space: .metadata, bytes: 16384, startNanoseconds: 1862004217, error: 0))),
            ParityCase("6.18/btrfs_reserve_ticket", ["fsid": fsid, "flags": .number(1), "bytes": .number(65536), "start_ns": .number(7), "flush": .number(1), "error": .negative(-28)],
                       text: fs + "flags=DATA bytes=65536 start_ns=7 flush=FLUSH_LIMIT error=-28",
                       .reservationTicket(ReservationTicket(space: .data, bytes: 65536, startNanoseconds: 7, error: -28))),
        ])
    }

    func testOutstandingExtents() throws {
        try run([
            ParityCase("6.1/btrfs_inode_mod_outstanding_extents", ["fsid": fsid, "root_objectid": .number(5), "ino": .number(257), "mod": .number(1)],
                       text: fs + "root=5(FS_TREE) ino=257 mod=1",
                       .outstandingExtents(OutstandingExtentsChange(root: 5, inode: 257, mod: 1, outstanding: nil))),
            ParityCase("6.18/btrfs_inode_mod_outstanding_extents", ["fsid": fsid, "root_objectid": .number(256), "ino": .number(258), "mod": .negative(-1), "outstanding": .number(0)],
                       text: fs + "root=256(-) ino=258 mod=-1 outstanding=0",
                       .outstandingExtents(OutstandingExtentsChange(root: 256, inode: 258, mod: -1, outstanding: 0))),
        ])
    }

    func testOrderedExtents() throws {
        func event(_ flags: OrderedExtentFlags, truncated: UInt64?, left: UInt64, refs: Int64) -> AccountingEvent {
            .orderedExtent(OrderedExtentEvent(step: .add, root: 5, inode: 257, fileOffset: 0, diskStart: 12582912, length: 4096,
                                              diskLength: 4096, truncatedLength: truncated, bytesLeft: left, flags: flags, refs: refs))
        }
        let common: [String: FieldValue] = ["root_objectid": .number(5), "ino": .number(257), "file_offset": .number(0), "start": .number(12582912),
                                            "len": .number(4096), "disk_len": .number(4096), "compress_type": .number(0)]
        let legacy: [String: FieldValue] = common.merging(["bytes_left": .number(4096), "flags": .number(1 << 0 | 1 << 5), "refs": .number(1)]) { $1 }
        let modern: [String: FieldValue] = common.merging(["fsid": fsid, "bytes_left": .number(4096), "flags": .number(1 << 0 | 1 << 4),
                                                           "refs": .number(1), "truncated_len": .number(UInt64.max)]) { $1 }
        let done: [String: FieldValue] = common.merging(["fsid": fsid, "bytes_left": .number(0), "flags": .number(0x171),
                                                         "refs": .number(2), "truncated_len": .number(0)]) { $1 }
        let finished: [String: FieldValue] = ["fsid": fsid, "root_objectid": .number(5), "ino": .number(257), "start": .number(65536),
                                              "len": .number(65536), "uptodate": .number(0)]
        var cases: [ParityCase] = []
        // 4.x: `key = value,` text, no fsid, flags in the 4.x enum order (IO_DONE bit 0, DIRECT bit 5).
        cases.append(ParityCase("4.1/btrfs_ordered_extent_add", legacy,
                                text: "root = 5(FS_TREE), ino = 257, file_offset = 0, start = 12582912, len = 4096, disk_len = 4096, bytes_left = 4096, flags = IO_DONE|DIRECT, compress_type = 0, refs = 1",
                                event([.ioDone, .direct], truncated: nil, left: 4096, refs: 1)))
        // 5.x+: REGULAR bit 0, DIRECT bit 4; truncated_len (u64)-1 until truncated.
        cases.append(ParityCase("6.1/btrfs_ordered_extent_add", modern,
                                text: fs + "root=5(FS_TREE) ino=257 file_offset=0 start=12582912 len=4096 disk_len=4096 truncated_len=18446744073709551615 bytes_left=4096 flags=REGULAR|DIRECT compress_type=0 refs=1",
                                event([.regular, .direct], truncated: nil, left: 4096, refs: 1)))
        // REGULAR|DIRECT|IO_DONE|COMPLETE|TRUNCATED: bits 0, 4, 5, 6, 8.
        cases.append(ParityCase("6.18/btrfs_ordered_extent_add", done,
                                text: fs + "root=5(FS_TREE) ino=257 file_offset=0 start=12582912 len=4096 disk_len=4096 truncated_len=0 bytes_left=0 flags=REGULAR|DIRECT|IO_DONE|COMPLETE|TRUNCATED compress_type=0 refs=2",
                                event([.regular, .direct, .ioDone, .complete, .truncated], truncated: 0, left: 0, refs: 2)))
        cases.append(ParityCase("6.18/btrfs_finish_ordered_extent", finished,
                                text: fs + "root=5(FS_TREE) ino=257 start=65536 len=65536 uptodate=0",
                                .orderedRangeFinished(OrderedRangeFinished(root: 5, inode: 257, fileOffset: 65536, length: 65536, uptodate: false))))
        try run(cases)
    }

    func testExtents() throws {
        let extent = DiskExtent(start: 13635584, length: 4096, space: .data)
        let plain = DiskExtent(start: 13635584, length: 4096, space: nil)
        try run([
            ParityCase("4.1/btrfs_reserve_extent", ["root_objectid": .number(5), "bg_objectid": .number(13631488), "flags": .number(1), "start": .number(13635584), "len": .number(4096)],
                       text: "root = 5(FS_TREE), block_group = 13631488, flags = 1(DATA), start = 13635584, len = 4096", .extentReserved(extent)),
            ParityCase("6.1/btrfs_reserve_extent", ["fsid": fsid, "bg_objectid": .number(13631488), "flags": .number(1), "start": .number(13635584), "len": .number(4096)],
                       text: fs + "root=2(EXTENT_TREE) block_group=13631488 flags=1(DATA) start=13635584 len=4096", .extentReserved(extent)),
            ParityCase("6.18/btrfs_reserve_extent", ["fsid": fsid, "bg_objectid": .number(13631488), "flags": .number(1), "start": .number(13635584), "len": .number(4096),
                                                     "bg_size_class": .number(0), "loop": .number(0), "hinted": .number(1), "size_class": .number(0)],
                       text: fs + "root=2(EXTENT_TREE) block_group=13631488 flags=1(DATA) bg_size_class=0 start=13635584 len=4096 loop=0 hinted=1 size_class=0",
                       .extentReserved(extent)),
            ParityCase("4.1/btrfs_reserved_extent_alloc", ["root_objectid": .number(2), "start": .number(13635584), "len": .number(4096)],
                       text: "root = 2(EXTENT_TREE), start = 13635584, len = 4096", .reservedExtentAllocated(plain)),
            ParityCase("6.1/btrfs_reserved_extent_alloc", ["fsid": fsid, "start": .number(13635584), "len": .number(4096)],
                       text: fs + "root=2(EXTENT_TREE) start=13635584 len=4096", .reservedExtentAllocated(plain)),
            ParityCase("6.18/btrfs_reserved_extent_alloc", ["fsid": fsid, "start": .number(13635584), "len": .number(4096)],
                       text: fs + "root=2(EXTENT_TREE) start=13635584 len=4096", .reservedExtentAllocated(plain)),
        ])
    }

    func testQgroup() throws {
        func data(_ op: QgroupDataEvent.Operation) -> AccountingEvent {
            .qgroupData(QgroupDataEvent(operation: op, root: 5, inode: 257, start: 0, length: 4096, reserved: 4096))
        }
        let values: [String: FieldValue] = ["fsid": fsid, "rootid": .number(5), "ino": .number(257), "start": .number(0), "len": .number(4096), "reserved": .number(4096)]
        try run([
            ParityCase("4.8/btrfs_qgroup_reserve_data", values.merging(["op": .number(1)]) { $1 },
                       text: fs + "root=5 ino=257 start=0 len=4096 reserved=4096 op=reserve", data(.reserve)),
            ParityCase("6.1/btrfs_qgroup_reserve_data", values.merging(["op": .number(2)]) { $1 },
                       text: fs + "root=5 ino=257 start=0 len=4096 reserved=4096 op=release", data(.release)),
            ParityCase("6.18/btrfs_qgroup_reserve_data", values.merging(["op": .number(4)]) { $1 },
                       text: fs + "root=5 ino=257 start=0 len=4096 reserved=4096 op=free", data(.free)),
            ParityCase("6.1/qgroup_update_reserve", ["fsid": fsid, "qgid": .number(5), "type": .number(0), "cur_reserved": .number(4096), "diff": .number(4096)],
                       text: fs + "qgid=5 type=DATA cur_reserved=4096 diff=4096",
                       .qgroupReserveUpdate(QgroupReserveUpdate(qgroup: 5, type: "DATA", currentReserved: 4096, diff: 4096))),
            ParityCase("6.18/btrfs_qgroup_update_reserve", ["fsid": fsid, "qgid": .number(5), "type": .number(2), "cur_reserved": .number(0), "diff": .negative(-16384)],
                       text: fs + "qgid=5 type=META_PREALLOC cur_reserved=0 diff=-16384",
                       .qgroupReserveUpdate(QgroupReserveUpdate(qgroup: 5, type: "META_PREALLOC", currentReserved: 0, diff: -16384))),
            ParityCase("6.1/qgroup_meta_reserve", ["fsid": fsid, "refroot": .number(5), "diff": .number(16384), "type": .number(2)],
                       text: fs + "refroot=5(FS_TREE) type=META_PREALLOC diff=16384",
                       .qgroupMeta(QgroupMetaEvent(kind: .reserve, root: 5, type: "META_PREALLOC", diff: 16384))),
            ParityCase("6.18/btrfs_qgroup_meta_reserve", ["fsid": fsid, "refroot": .number(5), "diff": .negative(-16384), "type": .number(1)],
                       text: fs + "refroot=5(FS_TREE) type=META_PERTRANS diff=-16384",
                       .qgroupMeta(QgroupMetaEvent(kind: .reserve, root: 5, type: "META_PERTRANS", diff: -16384))),
            ParityCase("6.1/qgroup_meta_convert", ["fsid": fsid, "refroot": .number(5), "diff": .number(16384)],
                       text: fs + "refroot=5(FS_TREE) type=META_PREALLOC->META_PERTRANS diff=16384",
                       .qgroupMeta(QgroupMetaEvent(kind: .convert, root: 5, type: "META_PREALLOC->META_PERTRANS", diff: 16384))),
            ParityCase("6.18/btrfs_qgroup_meta_convert", ["fsid": fsid, "refroot": .number(5), "diff": .number(16384)],
                       text: fs + "refroot=5(FS_TREE) type=META_PREALLOC->META_PERTRANS diff=16384",
                       .qgroupMeta(QgroupMetaEvent(kind: .convert, root: 5, type: "META_PREALLOC->META_PERTRANS", diff: 16384))),
        ])
    }

    func testInodes() throws {
        let values: [String: FieldValue] = ["root_objectid": .number(5), "ino": .number(257), "generation": .number(8), "blocks": .number(0),
                                            "disk_i_size": .number(0), "last_trans": .number(0), "logged_trans": .number(0)]
        let new = AccountingEvent.inode(InodeEvent(kind: .new, root: 5, inode: 257))
        try run([
            ParityCase("4.1/btrfs_inode_new", values,
                       text: "root = 5(FS_TREE), gen = 8, ino = 257, blocks = 0, disk_i_size = 0, last_trans = 0, logged_trans = 0", new),
            ParityCase("6.1/btrfs_inode_new", values.merging(["fsid": fsid]) { $1 },
                       text: fs + "root=5(FS_TREE) gen=8 ino=257 blocks=0 disk_i_size=0 last_trans=0 logged_trans=0", new),
            ParityCase("6.18/btrfs_inode_new", values.merging(["fsid": fsid]) { $1 },
                       text: fs + "root=5(FS_TREE) gen=8 ino=257 blocks=0 disk_i_size=0 last_trans=0 logged_trans=0", new),
        ])
    }

    func testIomap() throws {
        // dev 0:40 is dev_t (0 << 20 | 40); IOCB_DIRECT 1 << 17, IOCB_WRITE 1 << 18 (6.18 format).
        try run([
            ParityCase("6.18/iomap_dio_rw_begin", ["dev": .number(40), "ino": .number(0x101), "isize": .number(0), "pos": .number(0), "count": .number(0x10000),
                                                   "done_before": .number(0), "ki_flags": .number(1 << 17 | 1 << 18), "dio_flags": .number(4), "aio": .number(1)],
                       text: "dev 0:40 ino 0x101 size 0x0 offset 0x0 length 0x10000 done_before 0x0 flags DIRECT|WRITE dio_flags DIO_PARTIAL aio 1",
                       .directIOBegin(DirectIOBegin(device: 40, inode: 0x101, offset: 0, length: 0x10000, isWrite: true, isAsync: true))),
            ParityCase("6.18/iomap_dio_rw_begin", ["dev": .number(40), "ino": .number(0x101), "isize": .number(0x10000), "pos": .number(0x10000), "count": .number(0x1000),
                                                   "ki_flags": .number(1 << 17), "aio": .number(0)],
                       text: "dev 0:40 ino 0x101 size 0x10000 offset 0x10000 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0",
                       .directIOBegin(DirectIOBegin(device: 40, inode: 0x101, offset: 0x10000, length: 0x1000, isWrite: false, isAsync: false))),
            ParityCase("6.18/iomap_dio_complete", ["dev": .number(40), "ino": .number(0x101), "isize": .number(0x10000), "pos": .number(0), "ki_flags": .number(1 << 17 | 1 << 18),
                                                   "aio": .number(0), "error": .negative(-14), "ret": .negative(-14)],
                       text: "dev 0:40 ino 0x101 size 0x10000 offset 0x0 flags DIRECT|WRITE aio 0 error -14 ret -14",
                       .directIOEnd(DirectIOEnd(device: 40, inode: 0x101, offset: 0, error: -14, result: -14, isQueued: false))),
            ParityCase("6.18/iomap_dio_rw_queued", ["dev": .number(40), "ino": .number(0x101), "size": .number(0), "offset": .number(0x20000), "length": .number(0x10000)],
                       text: "dev 0:40 ino 0x101 size 0x0 offset 0x20000 length 0x10000",
                       .directIOEnd(DirectIOEnd(device: 40, inode: 0x101, offset: 0x20000, error: 0, result: 0, isQueued: true))),
            // IOMAP_WRITE 1 << 0, IOMAP_DIRECT 1 << 4.
            ParityCase("6.1/iomap_iter", ["dev": .number(40), "ino": .number(0x101), "pos": .number(0), "length": .number(0x10000), "flags": .number(0x11)],
                       text: "dev 0:40 ino 0x101 pos 0x0 length 0x10000 flags WRITE|DIRECT (0x11) ops btrfs_dio_iomap_ops caller __iomap_dio_rw+0x1b0/0x800",
                       .iomapIteration(IomapIteration(device: 40, inode: 0x101, position: 0, length: 0x10000, flags: 0x11))),
            ParityCase("6.18/iomap_iter", ["dev": .number(40), "ino": .number(0x101), "pos": .number(0x10000), "length": .number(0x10000), "status": .number(0), "flags": .number(0x11)],
                       text: "dev 0:40 ino 0x101 pos 0x10000 length 0x10000 status 0 flags WRITE|DIRECT (0x11) ops btrfs_dio_iomap_ops caller iomap_dio_rw+0x1b/0x50",
                       .iomapIteration(IomapIteration(device: 40, inode: 0x101, position: 0x10000, length: 0x10000, flags: 0x11))),
        ])
    }

    func testWork() throws {
        let function: UInt64 = 0xffff_ffff_c0a1_b2c0
        let scheduled = AccountingEvent.work(WorkItem(kind: .scheduled, function: "finish_ordered_fn"))
        try run([
            ParityCase("6.1/btrfs_work_sched", ["fsid": fsid, "work": .number(0xffff_8880_0123_4560), "wq": .number(0xffff_8880_0abc_d000), "func": .number(function)],
                       text: fs + "work=00000000a1b2c3d4 (normal_work=0000000011223344) wq=0000000055667788 func=finish_ordered_fn [btrfs] ordered_func=0000000000000000 ordered_free=0000000000000000",
                       scheduled),
            ParityCase("6.18/btrfs_work_sched", ["fsid": fsid, "work": .number(0xffff_8880_0123_4560), "func": .number(function)],
                       text: fs + "work=00000000a1b2c3d4 (normal_work=0000000011223344) wq=0000000055667788 func=finish_ordered_fn [btrfs] ordered_func=0000000000000000",
                       scheduled),
            ParityCase("6.1/btrfs_all_work_done", ["fsid": fsid, "wtag": .number(0xffff_8880_0123_4560)],
                       text: fs + "work->00000000a1b2c3d4", .work(WorkItem(kind: .done, function: nil))),
        ], kallsyms: [function: "finish_ordered_fn"])
    }

    func testProbes() throws {
        try run([
            ParityCase("kprobe/btrfs_dio_write_entry", ["__probe_ip": .number(0xffff_ffff_c077_7370), "ino": .number(257), "pos": .number(0), "count": .number(65536)],
                       text: "(btrfs_dio_write+0x0/0x80 [btrfs]) ino=257 pos=0 count=65536",
                       .probe(ProbeEvent(function: "btrfs_dio_write", isReturn: false, inode: 257, position: 0, count: 65536, returnValue: nil))),
            ParityCase("kprobe/btrfs_dio_write_ret", ["__probe_func": .number(0xffff_ffff_c077_7370), "__probe_ret_ip": .number(0xffff_ffff_c075_46eb), "ret": .number(0xffff_fff2)],
                       text: "(btrfs_direct_write+0x1b2/0x4c0 [btrfs] <- btrfs_dio_write) ret=0xfffffff2",
                       .probe(ProbeEvent(function: "btrfs_dio_write", isReturn: true, inode: nil, position: nil, count: nil, returnValue: -14))),
        ])
    }

    /// Each kind's field keys are numbered by their place in its list: a binary reader reads slot
    /// `n` from the `n`th resolved field.
    func testFieldKeySlotsMatchTheirPlace() {
        let kinds: [DecoderKind] = [.spaceReservation, .spaceInfoUpdate(.bytesMayUse), .reservationTicket, .outstandingExtents,
                                    .orderedExtent(.add), .orderedRangeFinished, .extentReserved, .reservedExtent(freed: false),
                                    .qgroupData, .qgroupReserveUpdate, .qgroupMeta(.reserve), .inode(.new), .directIOBegin,
                                    .directIOEnd(queued: false), .iomapIteration, .work(.scheduled), .probeCandidate]
        for kind in kinds {
            XCTAssertFalse(kind.fieldKeys.isEmpty, "\(kind)")
            for (i, key) in kind.fieldKeys.enumerated() { XCTAssertEqual(key.slot, i, "\(kind) \(key.name)") }
        }
    }

    /// Every fixture format file parses and names a decoded event.
    func testEveryFormatFixtureIsDecoded() throws {
        let fm = FileManager.default
        var count = 0
        for version in try fm.contentsOfDirectory(atPath: FormatFixtures.directory.path).sorted() {
            let dir = FormatFixtures.directory.appendingPathComponent(version)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for file in try fm.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".format") {
                let format = try FormatFixtures.format(version + "/" + String(file.dropLast(7)))
                XCTAssertTrue(DecoderKind.forName(format.name).isDecoded, "\(version)/\(file)")
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 30)
    }
}
