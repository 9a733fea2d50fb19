import Dispatch

extension DispatchSemaphore {
    /// A semaphore that `count` waits pass before one blocks: created at 0 and signalled `count`
    /// times, because libdispatch traps when a semaphore is freed below the value it was created
    /// with, which a pipeline stopped early does.
    public static func signalled(_ count: Int) -> DispatchSemaphore {
        let semaphore = DispatchSemaphore(value: 0)
        for _ in 0..<max(count, 0) { semaphore.signal() }
        return semaphore
    }
}
