import TraceEvents

/// Turns the binary payload of a record into the `AccountingEvent` the text path makes of the same
/// event's `trace-cmd report` line. Fields are found by name in the event's format (once per event
/// type, in `EventDescriptor`) and read by offset; nothing is printed and re-parsed.
final class RecordDecoder {
    let swapBytes: Bool
    private var reservationTypes: [UInt64: [ReservationType]] = [:]
    /// Names function addresses (`%ps`) from the file's kallsyms, parsed on first use.
    private let functionName: (UInt64) -> String?

    init(swapBytes: Bool, functionName: @escaping (UInt64) -> String?) {
        self.swapBytes = swapBytes
        self.functionName = functionName
    }

    // MARK: - field access

    @inline(__always)
    func rawValue(_ f: Field, _ p: UnsafeRawBufferPointer) -> UInt64? {
        guard f.present, f.offset + f.size <= p.count else { return nil }
        var v: UInt64
        switch f.size {
        case 8: v = p.loadUnaligned(fromByteOffset: f.offset, as: UInt64.self); if swapBytes { v = v.byteSwapped }
        case 4:
            var x = p.loadUnaligned(fromByteOffset: f.offset, as: UInt32.self); if swapBytes { x = x.byteSwapped }
            v = f.signed ? UInt64(bitPattern: Int64(Int32(bitPattern: x))) : UInt64(x)
        case 2:
            var x = p.loadUnaligned(fromByteOffset: f.offset, as: UInt16.self); if swapBytes { x = x.byteSwapped }
            v = f.signed ? UInt64(bitPattern: Int64(Int16(bitPattern: x))) : UInt64(x)
        case 1:
            let x = p.load(fromByteOffset: f.offset, as: UInt8.self)
            v = f.signed ? UInt64(bitPattern: Int64(Int8(bitPattern: x))) : UInt64(x)
        default: return nil
        }
        return v
    }

    /// The value as the text path's `unsigned(key)` sees it: nil when absent or printed negative.
    @inline(__always)
    func unsigned(_ f: Field, _ p: UnsafeRawBufferPointer) -> UInt64? {
        guard let v = rawValue(f, p) else { return nil }
        if f.signed && Int64(bitPattern: v) < 0 { return nil }
        return v
    }

    @inline(__always)
    func signed(_ f: Field, _ p: UnsafeRawBufferPointer) -> Int64? {
        rawValue(f, p).map { Int64(bitPattern: $0) }
    }

    /// A `__data_loc char[]` string (low 16 bits offset, high 16 bits length incl. NUL).
    private func dynamicBytes(_ f: Field, _ p: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard f.present, f.size == 4, f.offset + 4 <= p.count else { return nil }
        var loc = p.loadUnaligned(fromByteOffset: f.offset, as: UInt32.self)
        if swapBytes { loc = loc.byteSwapped }
        var start = Int(loc & 0xFFFF)
        var length = Int(loc >> 16)
        if f.relative { start += f.offset + f.size }
        guard start <= p.count else { return nil }
        length = min(length, p.count - start)
        var end = start
        while end < start + length && p[end] != 0 { end += 1 }
        return UnsafeRawBufferPointer(rebasing: p[start..<end])
    }

    private func reservationType(_ bytes: UnsafeRawBufferPointer) -> ReservationType {
        var h: UInt64 = 0xcbf29ce484222325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        if let list = reservationTypes[h] {
            for t in list where t.bytes.elementsEqual(bytes) { return t }
        }
        let t = ReservationType(bytes: Array(bytes))
        reservationTypes[h, default: []].append(t)
        return t
    }


    // MARK: - decoding (field semantics mirror the text decoders in TraceEvents/Decoders)

    func decode(_ d: EventDescriptor, _ p: UnsafeRawBufferPointer) -> AccountingEvent? {
        let f = d.fields
        switch d.kind {
        case .spaceReservation:
            guard let type = dynamicBytes(f[0], p), let val = unsigned(f[1], p), let bytes = unsigned(f[2], p),
                  let reserve = rawValue(f[3], p) else { return nil }
            let t = reservationType(type)
            let kind: SpaceReservation.Kind
            switch t.special {
            case .spaceInfo: kind = .spaceInfo(SpaceKind(blockGroupFlags: val))
            case .spaceInfoENOSPC: kind = .spaceInfoENOSPC(SpaceKind(blockGroupFlags: val))
            case .fixed(let k): kind = k
            }
            return .spaceReservation(SpaceReservation(kind: kind, value: val, isReserve: reserve != 0, bytes: bytes))
        case .spaceInfoUpdate(let counter):
            guard let diff = signed(f[2], p) else { return nil }
            // The text shows __print_flags names in table order DATA, SYSTEM, METADATA, RAID...;
            // the text decoder keys on the first name.
            var space = SpaceKind.other(0)
            if let flags = rawValue(f[0], p) {
                if flags & 1 != 0 { space = .data } else if flags & 2 != 0 { space = .system } else if flags & 4 != 0 { space = .metadata }
            }
            return .spaceInfoUpdate(SpaceInfoUpdate(counter: counter, space: space, old: unsigned(f[1], p), diff: diff))
        case .outstandingExtents:
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p), let mod = signed(f[2], p) else { return nil }
            return .outstandingExtents(OutstandingExtentsChange(root: root, inode: ino, mod: mod, outstanding: unsigned(f[3], p)))
        case .orderedExtent(let step):
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p), let fileOffset = unsigned(f[2], p),
                  let start = unsigned(f[3], p), let len = unsigned(f[4], p) else { return nil }
            var truncated: UInt64? = nil
            if let t = unsigned(f[6], p), t != UInt64.max { truncated = t }
            let flags = rawValue(f[8], p).map { OrderedExtentFlags.fromKernelBits($0, modern: d.modernFlags).0 } ?? []
            return .orderedExtent(OrderedExtentEvent(
                step: step, root: root, inode: ino, fileOffset: fileOffset, diskStart: start, length: len,
                diskLength: unsigned(f[5], p) ?? len, truncatedLength: truncated, bytesLeft: unsigned(f[7], p) ?? 0,
                flags: flags, refs: signed(f[9], p) ?? 0))
        case .orderedRangeFinished:
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p), let start = unsigned(f[2], p),
                  let len = unsigned(f[3], p) else { return nil }
            return .orderedRangeFinished(OrderedRangeFinished(root: root, inode: ino, fileOffset: start, length: len,
                                                              uptodate: (unsigned(f[4], p) ?? 1) != 0))
        case .extentReserved:
            guard let start = unsigned(f[0], p), let len = unsigned(f[1], p) else { return nil }
            return .extentReserved(DiskExtent(start: start, length: len, space: unsigned(f[2], p).map(SpaceKind.init(blockGroupFlags:))))
        case .reservedExtent(let freed):
            guard let start = unsigned(f[0], p), let len = unsigned(f[1], p) else { return nil }
            let e = DiskExtent(start: start, length: len, space: nil)
            return freed ? .reservedExtentFreed(e) : .reservedExtentAllocated(e)
        case .qgroupData:
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p), let start = unsigned(f[2], p),
                  let len = unsigned(f[3], p), let reserved = unsigned(f[4], p), let opBits = rawValue(f[5], p) else { return nil }
            let op: QgroupDataEvent.Operation
            switch opBits {
            case 1: op = .reserve
            case 2: op = .release
            case 4: op = .free
            default: return nil
            }
            return .qgroupData(QgroupDataEvent(operation: op, root: root, inode: ino, start: start, length: len, reserved: reserved))
        case .qgroupReserveUpdate:
            guard let qgid = unsigned(f[0], p), let cur = unsigned(f[2], p), let diff = signed(f[3], p) else { return nil }
            return .qgroupReserveUpdate(QgroupReserveUpdate(qgroup: qgid, type: qgroupTypeName(rawValue(f[1], p)), currentReserved: cur, diff: diff))
        case .qgroupMeta(let k):
            guard let root = unsigned(f[0], p), let diff = signed(f[1], p) else { return nil }
            let type = k == .convert ? "META_PREALLOC->META_PERTRANS" : (f[2].present ? qgroupTypeName(rawValue(f[2], p)) : "")
            return .qgroupMeta(QgroupMetaEvent(kind: k, root: root, type: type, diff: diff))
        case .inode(let k):
            guard let root = unsigned(f[0], p), let ino = unsigned(f[1], p) else { return nil }
            return .inode(InodeEvent(kind: k, root: root, inode: ino))
        case .transactionCommit:
            return .transactionCommit
        case .directIOBegin:
            guard let dev = rawValue(f[0], p), let ino = rawValue(f[1], p), let pos = rawValue(f[2], p),
                  let count = rawValue(f[3], p) else { return nil }
            let kiFlags = rawValue(f[4], p) ?? 0
            return .directIOBegin(DirectIOBegin(device: dev, inode: ino, offset: pos, length: count,
                                                isWrite: d.writeMask != 0 && kiFlags & d.writeMask == d.writeMask,
                                                isAsync: (rawValue(f[5], p) ?? 0) != 0))
        case .directIOEnd(let queued):
            guard let dev = rawValue(f[0], p), let ino = rawValue(f[1], p), let pos = rawValue(f[2], p) else { return nil }
            return .directIOEnd(DirectIOEnd(device: dev, inode: ino, offset: pos, error: signed(f[3], p) ?? 0,
                                            result: signed(f[4], p) ?? 0, isQueued: queued))
        case .probeCandidate:
            var ret: Int64? = nil
            if d.probeIsReturn, var v = signed(f[5], p) {
                if d.probeRetHex32 && !f[5].signed && f[5].size == 4 { v = Int64(Int32(truncatingIfNeeded: v)) }
                ret = v
            }
            return .probe(ProbeEvent(function: d.probeFunction, isReturn: d.probeIsReturn, inode: unsigned(f[0], p),
                                     position: unsigned(f[1], p) ?? unsigned(f[2], p),
                                     count: unsigned(f[3], p) ?? unsigned(f[4], p), returnValue: ret))
        case .work(let k):
            // func is a pointer: named from the file's kallsyms as trace-cmd report prints it (%ps).
            var function: String? = nil
            if k == .scheduled, let address = rawValue(f[0], p) { function = functionName(address) }
            return .work(WorkItem(kind: k, function: function))
        case .reservationTicket:
            guard let bytes = unsigned(f[1], p) else { return nil }
            return .reservationTicket(ReservationTicket(space: rawValue(f[0], p).map(SpaceKind.init(blockGroupFlags:)) ?? .other(0), bytes: bytes,
                                                        startNanoseconds: unsigned(f[2], p) ?? 0, error: signed(f[3], p) ?? 0))
        case .iomapIteration:
            guard let dev = rawValue(f[0], p), let ino = rawValue(f[1], p), let pos = rawValue(f[2], p) else { return nil }
            return .iomapIteration(IomapIteration(device: dev, inode: ino, position: pos, length: rawValue(f[3], p) ?? 0,
                                                  flags: rawValue(f[4], p) ?? 0))
        case .ignored:
            return nil
        }
    }

    private func qgroupTypeName(_ v: UInt64?) -> String {
        switch v {
        case 0: "DATA"
        case 1: "META_PERTRANS"
        case 2: "META_PREALLOC"
        case nil: ""
        case let v?: "0x" + String(v, radix: 16)
        }
    }
}
