/// A printk timestamp exactly as printed (`[  399.860119]`): whole seconds plus the printed
/// fraction, kept as integers so equal timestamps compare equal. printk prints `local_clock()`
/// in microseconds; other sources may print more or fewer digits.
public struct KernelTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: UInt64
    /// Fraction of a second in nanoseconds (digits beyond nine are dropped).
    public var nanoseconds: UInt32
    /// Number of fraction digits printed (6 for printk).
    public var fractionDigits: Int

    public init(seconds: UInt64, nanoseconds: UInt32, fractionDigits: Int = 6) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.fractionDigits = fractionDigits
    }

    /// Total nanoseconds, or nil when it does not fit in 64 bits.
    public var totalNanoseconds: UInt64? {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return nil }
        let (sum, overflow2) = scaled.addingReportingOverflow(UInt64(nanoseconds))
        return overflow2 ? nil : sum
    }

    public static func < (lhs: KernelTimestamp, rhs: KernelTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// `seconds.fraction` with the printed number of fraction digits.
    public var description: String {
        let digits = max(0, min(fractionDigits, 9))
        if digits == 0 { return String(seconds) }
        var fraction = String(nanoseconds)
        while fraction.count < 9 { fraction = "0" + fraction }
        return "\(seconds)." + fraction.prefix(digits)
    }
}
