#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension RecordedCommand {
    /// Waits for the command, forwarding a caught interrupt (`InterruptFlag`) to it once and
    /// killing it if it has not ended `killAfterSeconds` later.
    public func waitForwardingInterrupts(killAfterSeconds: Double = 5, intervalMilliseconds: UInt32 = 20) -> Status {
        var forwardedAt: Double?
        var killed = false
        while !poll() {
            let sig = InterruptFlag.signal
            if sig != 0 {
                let now = Self.monotonicSeconds()
                if let at = forwardedAt {
                    if !killed, now - at > killAfterSeconds {
                        send(SIGKILL)
                        killed = true
                    }
                } else {
                    forwardedAt = now
                    send(sig)
                }
            }
            usleep(intervalMilliseconds * 1000)
        }
        return status ?? .exited(-1)
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
