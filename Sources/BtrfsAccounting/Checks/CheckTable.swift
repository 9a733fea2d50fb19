/// Every rule of dio-trace and the check that makes its findings, in ID order. This is the one
/// place a rule is registered: a new check is added here and reviewed with its rule.
enum CheckTable {
    static let checks: [any LedgerCheck.Type] = [
        OutstandingExtentsAtEviction.self,   // DIO001
        MetadataAtEviction.self,             // DIO002
        OrderedExtentAtEviction.self,        // DIO003
        QgroupDataAtEviction.self,           // DIO004
        ReservationOutlivedIO.self,          // DIO010
        BytesMayUseAtUnmount.self,           // DIO020
        HeldAtEndOfTrace.self,               // DIO021
        ReleasedMoreThanReserved.self,       // DIO030
        OrderedExtentNeverFinished.self,     // DIO031
        MetadataReleasedMoreThanReserved.self, // DIO032
        OutstandingValueMismatch.self,       // DIO040
        KernelValueChainBreak.self,          // DIO041
        TraceDataLoss.self,                  // DIO050
    ]

    /// Rules whose findings are made outside the ledger: DIO060 by `KernelWarningLink` (`--dmesg`).
    static let linkRules: [Rule] = [.kernelWarnedAtTeardown]

    /// The checks to run per kind of moment (indexed by `Kind.allCases` order), in table order.
    static let byMoment: [[any LedgerCheck.Type]] = LedgerMoment.Kind.allCases.map { kind in
        checks.filter { $0.moments.contains(kind) }
    }
}

extension Rule {
    /// Every rule, in ID order.
    public static let all: [Rule] = (CheckTable.checks.map { $0.rule } + CheckTable.linkRules).sorted { $0.id < $1.id }
}
