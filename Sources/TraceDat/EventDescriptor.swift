import TraceEvents

/// Where one field of an event lies in a record (from the event's format).
struct Field {
    var offset: Int = 0
    var size: Int = 0
    var signed = false
    var relative = false
    var present = false

    static let absent = Field()
}

/// One event type of a trace.dat: its name, the decoding its name gets, and the record fields
/// that decoding reads, found by name once (the field lists follow `RecordDecoder.decode`).
final class EventDescriptor {
    let name: String
    let kind: AccountingEventKind
    /// Whether records of this type become `TraceEvent`s.
    let decoded: Bool
    var count: UInt64 = 0
    var fsid = Field.absent
    var fields: [Field] = []
    var modernFlags = true
    var writeMask: UInt64 = 0
    var probeFunction = ""
    var probeIsReturn = false
    var probeRetHex32 = false

    init(format: EventFormat, modernFlags fromVersion: Bool?) {
        let name = format.name
        self.name = name
        var kind = AccountingEventKind.forEventName(name)
        func field(_ names: String...) -> Field {
            for n in names {
                guard let f = format.fields[n] else { continue }
                return Field(offset: f.offset, size: f.size, signed: f.signed, relative: f.relative, present: true)
            }
            return .absent
        }
        if let f = format.fields["fsid"], f.size == 16 {
            fsid = Field(offset: f.offset, size: 16, present: true)
        }
        let root = field("root_objectid", "root", "rootid")
        switch kind {
        case .spaceReservation: fields = [field("type"), field("val"), field("bytes"), field("reserve")]
        case .spaceInfoUpdate: fields = [field("type"), field("old"), field("diff")]
        case .outstandingExtents: fields = [root, field("ino"), field("mod"), field("outstanding")]
        case .orderedExtent:
            fields = [root, field("ino"), field("file_offset"), field("start"), field("len"), field("disk_len"),
                      field("truncated_len"), field("bytes_left"), field("flags"), field("refs")]
            modernFlags = fromVersion ?? fields[6].present
        case .orderedRangeFinished: fields = [root, field("ino"), field("start"), field("len"), field("uptodate")]
        case .extentReserved: fields = [field("start"), field("len"), field("flags")]
        case .reservedExtent: fields = [field("start"), field("len")]
        case .qgroupData: fields = [field("rootid", "root", "root_objectid"), field("ino"), field("start"), field("len"), field("reserved"), field("op")]
        case .qgroupReserveUpdate: fields = [field("qgid"), field("type"), field("cur_reserved"), field("diff")]
        case .qgroupMeta: fields = [field("refroot"), field("diff"), field("type")]
        case .inode: fields = [root, field("ino")]
        case .transactionCommit: fields = []
        case .directIOBegin:
            fields = [field("dev"), field("ino"), field("pos"), field("count"), field("ki_flags"), field("aio")]
            writeMask = format.flagValue(named: "WRITE")
        case .directIOEnd: fields = [field("dev"), field("ino"), field("pos", "offset"), field("error"), field("ret")]
        case .probeCandidate:
            let isKprobe = format.fields["__probe_ip"] != nil
            let isKretprobe = format.fields["__probe_func"] != nil || format.fields["__probe_ret_ip"] != nil
            if isKprobe || isKretprobe {
                let (function, returnByName) = ProbeEvent.function(fromEventName: name)
                probeFunction = function
                probeIsReturn = returnByName || isKretprobe
                fields = [field("ino"), field("pos"), field("start"), field("count"), field("length"), field("ret", "arg1")]
                // The format string only (libtraceevent's print_fmt.format), not its arguments.
                let printed = format.printFormat.split(separator: "\"", maxSplits: 2, omittingEmptySubsequences: false)
                let text = printed.count >= 2 ? String(printed[1]) : format.printFormat
                probeRetHex32 = text.contains("ret=0x") || text.contains("arg1=0x")
            } else {
                // Named like a probe but not one: the text path does not decode it either.
                kind = .ignored
            }
        case .work: fields = [field("func")]
        case .reservationTicket: fields = [field("flags"), field("bytes"), field("start_ns"), field("error")]
        case .iomapIteration: fields = [field("dev"), field("ino"), field("pos"), field("length"), field("flags")]
        case .ignored: break
        }
        self.kind = kind
        decoded = kind.isDecoded
    }
}

final class ReservationType {
    enum Special { case spaceInfo, spaceInfoENOSPC, fixed(SpaceReservation.Kind) }
    let bytes: [UInt8]
    let special: Special

    init(bytes: [UInt8]) {
        self.bytes = bytes
        let s = String(decoding: bytes, as: UTF8.self)
        switch s {
        case "space_info": special = .spaceInfo
        case "space_info:enospc": special = .spaceInfoENOSPC
        default: special = .fixed(SpaceReservation.Kind(type: s, value: 0))
        }
    }
}
