import TraceEvents

extension Ledger {
    var checkContext: CheckContext {
        CheckContext(isLegacy: isLegacy, metadataExact: metadataExact, sawOrderedExtentRemove: sawOrderedExtentRemove,
                     lastTimestamp: lastTimestamp, lossSeen: lossSeen, lastFilesystem: lastFilesystem)
    }

    /// Runs the checks registered for the moment (CheckTable) and records their findings.
    mutating func emit(_ moment: LedgerMoment) {
        let checks = CheckTable.byMoment[moment.kind.rawValue]
        guard !checks.isEmpty else { return }
        let context = checkContext
        for check in checks {
            for draft in check.check(moment, context) { record(draft) }
        }
    }

    mutating func record(_ d: FindingDraft) {
        let key: InodeKey
        switch d.subject {
        case .inode(let k): key = k
        case .filesystem(let fs): key = InodeKey(filesystem: fs, root: 0, inode: 0)
        }
        if d.once, case .inode = d.subject {
            guard reportedInodeRule.insert(ReportedKey(rule: d.rule.id, inode: key)).inserted else { return }
        }
        var finding = makeFinding(d.rule, key, amount: d.amount, unit: d.unit, message: d.message, chain: d.chain, extra: d.extra, lossy: d.lossy)
        if case .filesystem = d.subject {
            finding.root = nil
            finding.inode = nil
        }
        finding.io = d.io
        record(finding)
    }

    func reference(_ r: EventRef) -> EventReference {
        EventReference(file: Int(r.file) < fileNames.count ? fileNames[Int(r.file)] : "?", line: r.line,
                       timestamp: r.timestamp, task: r.comm.string, pid: r.pid, event: r.name.string, operation: r.payload, step: r.step)
    }

    func makeFinding(_ rule: Rule, _ key: InodeKey, amount: Int64, unit: AmountUnit, message: String, chain: EventChain,
                     extra: [EventRef], lossy: Bool) -> Finding {
        var events = chain.events.map(reference)
        events += extra.map(reference)
        var severity = rule.defaultSeverity
        var text = message
        if lossy && severity == .error {
            severity = .warning
            text += " Confidence lowered: the trace lost events."
        }
        return Finding(rule: rule, severity: severity, filesystem: key.filesystem, root: key.root, inode: key.inode,
                       amount: amount, unit: unit, message: text, events: events, elidedEvents: chain.elided)
    }

    mutating func record(_ finding: Finding) {
        let listed = listedByRule[finding.rule, default: 0]
        guard listed < Self.listedFindingsPerRule else {
            unlisted[UnlistedKey(rule: finding.rule, severity: finding.severity), default: 0] += 1
            if finding.severity == .error { unlistedErrorLines[finding.rule, default: []].append(currentLine) }
            return
        }
        listedByRule[finding.rule] = listed + 1
        findings.append(finding)
        findingLines.append(currentLine)
    }

    /// Lowers the errors made since `line`: they rest on a trace that lost events after it.
    mutating func downgradeFindings(madeAfter line: Int) {
        for i in findings.indices where findingLines[i] > line && findings[i].severity == .error {
            findings[i].severity = .warning
            findings[i].message += " Confidence lowered: the trace lost events."
        }
        for (rule, lines) in unlistedErrorLines {
            let lowered = lines.filter { $0 > line }.count
            guard lowered > 0 else { continue }
            unlistedErrorLines[rule] = lines.filter { $0 <= line }
            unlisted[UnlistedKey(rule: rule, severity: .error), default: 0] -= lowered
            if unlisted[UnlistedKey(rule: rule, severity: .error)] == 0 { unlisted[UnlistedKey(rule: rule, severity: .error)] = nil }
            unlisted[UnlistedKey(rule: rule, severity: .warning), default: 0] += lowered
        }
    }
}

struct UnlistedKey: Hashable {
    var rule: Rule
    var severity: Severity
}
