import TraceEvents

extension Rule {
    /// A reservation made inside one I/O and still held after it finished.
    public static let reservationOutlivedIO = Rule(
        id: "DIO010", name: "reservation-outlived-io", defaultSeverity: .error,
        shortDescription: "A reservation made by a direct-I/O write outlived the I/O",
        fullDescription: "Inside the I/O window of one direct-I/O write (task, inode, range), space was reserved (outstanding extents or data bytes_may_use) and not released when the write had returned and all of its ordered extents had been removed.",
        help: "This is the class of bug fixed by 50745b0a7f46 'Btrfs: Direct I/O: Fix space accounting': an error path (for example -EFAULT from a splice source) skipped btrfs_delalloc_release_space.")
}

/// Check of `reservationOutlivedIO`.
enum ReservationOutlivedIO: LedgerCheck {
    static var rule: Rule { .reservationOutlivedIO }

    static let moments: [LedgerMoment.Kind] = [.ioEnded]

    static func check(_ moment: LedgerMoment, _ context: CheckContext) -> [FindingDraft] {
        guard case .ioEnded(let io) = moment, io.isDirect, io.countsReservations else { return [] }
        let countsOutstanding = io.outstanding > 0 && !io.sawWriteback
        var held: [String] = []
        if countsOutstanding { held.append("\(io.outstanding) outstanding extent\(io.outstanding == 1 ? "" : "s")") }
        if io.data > 0 { held.append("\(io.data) bytes of data reservation (bytes_may_use)") }
        let legacyMetadata = context.isLegacy && io.metadata > 0 && io.createdOrderedExtents == 0
        if legacyMetadata { held.append("\(io.metadata) bytes of delalloc metadata reservation") }
        guard !held.isEmpty else { return [] }
        let key = io.inode ?? InodeKey(filesystem: context.lastFilesystem, root: 5, inode: io.inodeNumber ?? 0)
        var message = "Direct-I/O write by \(io.comm)-\(io.pid) on inode \(io.inodeNumber.map(String.init) ?? "?")"
        if let o = io.offset, let l = io.length { message += " range [\(o), +\(l))" }
        if let r = io.result { message += " (returned \(r))" }
        message += " still holds \(held.joined(separator: " and ")) after the I/O ended"
        message += io.createdOrderedExtents > 0 ? " and its \(io.createdOrderedExtents) ordered extent(s) were removed." : "; it created no ordered extent, so nothing will release it: an error path skipped the release (the 50745b0a7f46 class of leak)."
        let amount = io.data > 0 ? io.data : countsOutstanding ? io.outstanding : io.metadata
        let unit: AmountUnit = io.data > 0 ? .bytes : countsOutstanding ? .extents : .bytes
        return [FindingDraft(rule: rule, subject: .inode(key), amount: amount, unit: unit, message: message, chain: io.chain,
                             lossy: io.lossDuring, io: io.description)]
    }
}
