/// What kind of kernel report was found, derived from its header and title.
public enum ReportKind: String, Sendable, Hashable, CaseIterable {
    case warning = "WARNING"
    case bug = "BUG"
    case kernelBug = "KERNEL_BUG"
    case oops = "OOPS"
    case generalProtectionFault = "GPF"
    case pagingFault = "PAGE_FAULT"
    case kasan = "KASAN"
    case kmsan = "KMSAN"
    case kcsan = "KCSAN"
    case kfence = "KFENCE"
    case ubsan = "UBSAN"
    case memoryLeak = "LEAK"
    case lockdep = "LOCKDEP"
    case hungTask = "HANG"
    case rcuStall = "RCU_STALL"
    case softLockup = "SOFT_LOCKUP"
    case panic = "PANIC"
    case other = "OTHER"

    /// Classifies a final title (and the header line as a fallback).
    static func classify(title: String, header: String) -> ReportKind {
        if title.hasPrefix("KASAN:") { return .kasan }
        if title.hasPrefix("KMSAN:") { return .kmsan }
        if title.hasPrefix("KCSAN:") { return .kcsan }
        if title.hasPrefix("KFENCE:") { return .kfence }
        if title.hasPrefix("UBSAN:") { return .ubsan }
        if title.hasPrefix("memory leak") { return .memoryLeak }
        if title.hasPrefix("possible deadlock") || title.hasPrefix("inconsistent lock state")
            || title.hasPrefix("WARNING: locking bug") || title.contains("still has locks held")
            || title.contains("lock held when returning") || title.contains("bad unlock balance")
            || title.contains("held lock freed") || title.contains("suspicious RCU usage") {
            return .lockdep
        }
        if title.hasPrefix("INFO: task") { return .hungTask }
        if title.hasPrefix("INFO: rcu detected stall") { return .rcuStall }
        if title.hasPrefix("BUG: soft lockup") { return .softLockup }
        if title.hasPrefix("general protection fault") { return .generalProtectionFault }
        if title.hasPrefix("BUG: unable to handle kernel") || title.hasPrefix("Unhandled fault")
            || title.hasPrefix("Internal error") { return .pagingFault }
        if title.hasPrefix("WARNING") { return .warning }
        if header.contains("kernel BUG at") || title.hasPrefix("kernel BUG") || title.hasPrefix("BUG: corrupted list")
            || title.hasPrefix("BUG: bad usercopy") { return .kernelBug }
        if title.hasPrefix("kernel panic") || title.hasPrefix("kernel stack overflow") || header.contains("Kernel panic") {
            return .panic
        }
        if title.hasPrefix("invalid opcode") || title.hasPrefix("divide error") || title.hasPrefix("int3")
            || title.hasPrefix("stack segment") || title.hasPrefix("PANIC: double fault") || header.contains("Oops") {
            return .oops
        }
        if title.hasPrefix("BUG") { return .bug }
        return .other
    }
}
