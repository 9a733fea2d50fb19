/// The one dispatch from a decoder kind to its family decoder, for every input: text payloads
/// (`PayloadFields`), trace.dat records and `trace_pipe_raw` records (`RecordFields`).
enum FamilyDecoders {
    /// Decodes the fields of one event; nil when they do not make the event (malformed) or the
    /// kind is not decoded by fields alone (`.ignored`, `.probeCandidate`).
    static func decode(_ kind: DecoderKind, _ f: some EventFields) -> AccountingEvent? {
        switch kind {
        case .spaceReservation: SpaceEvents.reservation(fields: f)
        case .spaceInfoUpdate(let counter): SpaceEvents.update(counter, fields: f)
        case .reservationTicket: SpaceEvents.ticket(fields: f)
        case .outstandingExtents: OrderedExtentEvents.outstanding(fields: f)
        case .orderedExtent(let step): OrderedExtentEvents.orderedExtent(step, fields: f)
        case .orderedRangeFinished: OrderedExtentEvents.finished(fields: f)
        case .extentReserved: ExtentEvents.reserved(fields: f)
        case .reservedExtent(let freed): ExtentEvents.allocatedOrFreed(freed: freed, fields: f)
        case .qgroupData: QgroupEvents.data(fields: f)
        case .qgroupReserveUpdate: QgroupEvents.updateReserve(fields: f)
        case .qgroupMeta(let k): QgroupEvents.meta(k, fields: f)
        case .inode(let k): InodeEvents.inode(k, fields: f)
        case .transactionCommit: .transactionCommit
        case .directIOBegin: IomapEvents.begin(fields: f)
        case .directIOEnd(let queued): IomapEvents.end(queued: queued, fields: f)
        case .iomapIteration: IomapEvents.iteration(fields: f)
        case .work(let k): WorkEvents.work(k, fields: f)
        case .probeCandidate, .ignored: nil
        }
    }
}

extension DecoderKind {
    /// The fields the kind's family decoder reads, slot for slot (`FieldKey.slot` is the index):
    /// what a binary reader resolves against an event's format once per event type.
    public var fieldKeys: [FieldKey] {
        switch self {
        case .spaceReservation: SpaceEvents.ReservationKey.all
        case .spaceInfoUpdate: SpaceEvents.UpdateKey.all
        case .reservationTicket: SpaceEvents.TicketKey.all
        case .outstandingExtents: OrderedExtentEvents.OutstandingKey.all
        case .orderedExtent: OrderedExtentEvents.OrderedKey.all
        case .orderedRangeFinished: OrderedExtentEvents.FinishedKey.all
        case .extentReserved: ExtentEvents.ReservedKey.all
        case .reservedExtent: ExtentEvents.AllocatedKey.all
        case .qgroupData: QgroupEvents.DataKey.all
        case .qgroupReserveUpdate: QgroupEvents.UpdateKey.all
        case .qgroupMeta: QgroupEvents.MetaKey.all
        case .inode: InodeEvents.Key.all
        case .transactionCommit, .ignored: []
        case .directIOBegin: IomapEvents.BeginKey.all
        case .directIOEnd: IomapEvents.EndKey.all
        case .iomapIteration: IomapEvents.IterationKey.all
        case .work: WorkEvents.Key.all
        case .probeCandidate: ProbeEvents.Key.all
        }
    }
}
