import Foundation
@testable import TraceDat
import TraceEvents
import XCTest

/// `TraceDatReader.readLive` over the pages of real trace.dat files, published as the kernel's
/// ring buffer and `record`'s readers would: a page becomes readable once its CPU moved on to
/// the next page (at that page's time stamp), a CPU is drained when its next page starts after
/// the simulated clock. Whatever the publication order, the live merge must give exactly the
/// events `read(sink:)` gives for the whole file.
final class LiveMergeTests: XCTestCase {
    /// A recorder replaying one CPU's pages on a simulated clock.
    final class SimulatedCPU: LiveCPUPages, @unchecked Sendable {
        let cpu: Int
        let pageSize: Int
        let pages: [[UInt8]]
        /// The page header time stamps (raw ring-buffer clock).
        let starts: [UInt64]
        var current = LivePagesState()

        init(cpu: Int, pageSize: Int, pages: [[UInt8]]) {
            self.cpu = cpu
            self.pageSize = pageSize
            self.pages = pages
            starts = pages.map { page in page.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } }
        }

        func state() -> LivePagesState { current }

        func readPage(_ index: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TraceDatCorruption) {
            guard index < current.published else { throw TraceDatCorruption("page \(index) read before it was published") }
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            pages[index].withUnsafeBytes { buffer.copyMemory(from: $0) }
        }

        /// What a reader sees at `clock`: every page its CPU has left is published; drained when
        /// the next page starts later. `ticket` is taken before the read.
        func read(at clock: UInt64, ticket: UInt64, next: () -> UInt64, ending: Bool) {
            var n = current.published
            while n < pages.count, n + 1 < pages.count ? starts[n + 1] <= clock : ending { n += 1 }
            let drained = n >= pages.count || starts[n] > clock
            if n > current.published || drained {
                current.published = n
                current.publishTicket = next()
                if drained { current.drainedTicket = ticket }
                if ending && n == pages.count { current.finished = true }
            }
        }
    }

    /// The readers of all CPUs on one clock and one ticket counter.
    final class Recording {
        let cpus: [SimulatedCPU]
        var tickets: UInt64 = 0
        var clock: UInt64
        let end: UInt64
        var seed: UInt64

        init(cpus: [SimulatedCPU], clock: UInt64, end: UInt64, seed: UInt64) {
            self.cpus = cpus
            self.clock = clock
            self.end = end
            self.seed = seed
        }

        func nextTicket() -> UInt64 {
            tickets += 1
            return tickets
        }

        /// One reader (a pseudo-random CPU) reads at a clock advanced by up to `step`; at the
        /// end, every reader drains and finishes.
        func step(_ step: UInt64) {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            clock += (seed >> 33) % step
            let ending = clock >= end
            let chosen = Int((seed >> 17) % UInt64(cpus.count))
            for (i, cpu) in cpus.enumerated() where i == chosen || ending {
                cpu.read(at: clock, ticket: nextTicket(), next: nextTicket, ending: ending)
            }
        }
    }

    func events(_ reader: TraceDatReader) throws -> [String] {
        var out: [String] = []
        try reader.read { out.append("\($0.origin.line) \($0.timestamp ?? 0) \($0.cpu) \($0.pid) \($0.comm) \($0.payload)") }
        return out
    }

    func liveEvents(_ url: URL, seed: UInt64, step: (_ span: UInt64) -> UInt64) throws -> (events: [String], outOfOrder: Int, idles: Int) {
        let layoutReader = try TraceDatReader(path: url.path, fileIndex: 0)
        let (pageSize, byCPU) = try layoutReader.pagesByCPU()
        let cpus = byCPU.map { SimulatedCPU(cpu: $0.cpu, pageSize: pageSize, pages: $0.pages) }
        let first = cpus.compactMap(\.starts.first).min() ?? 0
        let last = cpus.compactMap(\.starts.last).max() ?? 0
        let recording = Recording(cpus: cpus, clock: first, end: last + 1, seed: seed)
        let stepSize = max(1, step(last - first))
        let reader = try TraceDatReader(path: url.path, fileIndex: 0)
        var out: [String] = []
        var idles = 0
        let late = try reader.readLive(cpus, idle: {
            idles += 1
            recording.step(stepSize)
        }) { out.append("\($0.origin.line) \($0.timestamp ?? 0) \($0.cpu) \($0.pid) \($0.comm) \($0.payload)") }
        return (out, late, idles)
    }

    func testLiveMergeEqualsTheFinishedFileWhateverThePublicationOrder() throws {
        let files = Fixtures.datFiles
        XCTAssertGreaterThanOrEqual(files.count, 5)
        for url in files {
            let expected = try events(try TraceDatReader(path: url.path, fileIndex: 0))
            XCTAssertGreaterThan(expected.count, 50, url.lastPathComponent)
            // Fine steps (many waits, pages published one by one) to coarse ones (whole runs at once).
            for (seed, divisor) in [(1, 20_000), (2, 3_000), (3, 100), (4, 3)] as [(UInt64, UInt64)] {
                let live = try liveEvents(url, seed: seed) { $0 / divisor }
                XCTAssertEqual(live.outOfOrder, 0, "\(url.lastPathComponent) seed \(seed)")
                XCTAssertEqual(live.events.count, expected.count, "\(url.lastPathComponent) seed \(seed)")
                if let i = zip(live.events, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                    XCTFail("\(url.lastPathComponent) seed \(seed): event \(i) differs:\n live  \(live.events[i])\n file  \(expected[i])")
                }
                XCTAssertGreaterThan(live.idles, 0, "the merge waited for the recorder")
            }
        }
    }

    /// A CPU that says it drained and then delivers a page from before: the merge has passed
    /// those records' place, and says so.
    func testARecordArrivingAfterItsPlaceIsCounted() throws {
        let url = try XCTUnwrap(Fixtures.datFiles.first { $0.lastPathComponent == "k6.1-dio-splice.dat" })
        let reader = try TraceDatReader(path: url.path, fileIndex: 0)
        let (pageSize, byCPU) = try reader.pagesByCPU()
        XCTAssertGreaterThanOrEqual(byCPU.count, 2)
        let a = SimulatedCPU(cpu: byCPU[0].cpu, pageSize: pageSize, pages: byCPU[0].pages)
        let b = SimulatedCPU(cpu: byCPU[1].cpu, pageSize: pageSize, pages: byCPU[1].pages)
        // a: everything, at ticket 1. b: drained at ticket 2 with nothing published (a lie), then all.
        a.current = LivePagesState(published: a.pages.count, publishTicket: 1, drainedTicket: 0, finished: true)
        b.current = LivePagesState(published: 0, publishTicket: 0, drainedTicket: 2, finished: false)
        var emitted = 0
        let live = try TraceDatReader(path: url.path, fileIndex: 0)
        let late = try live.readLive([a, b], idle: {
            b.current = LivePagesState(published: b.pages.count, publishTicket: 3, drainedTicket: 4, finished: true)
        }) { _ in
            emitted += 1
            if emitted == 100 {
                b.current = LivePagesState(published: b.pages.count, publishTicket: 3, drainedTicket: 4, finished: true)
            }
        }
        XCTAssertGreaterThan(late, 0)
    }

    /// Pages not yet published are never asked for, and the merge ends only when every CPU is finished.
    func testTheMergeWaitsForUnfinishedCPUs() throws {
        let url = try XCTUnwrap(Fixtures.datFiles.first)
        let reader = try TraceDatReader(path: url.path, fileIndex: 0)
        let (pageSize, byCPU) = try reader.pagesByCPU()
        let cpus = byCPU.map { SimulatedCPU(cpu: $0.cpu, pageSize: pageSize, pages: $0.pages) }
        var idles = 0
        let live = try TraceDatReader(path: url.path, fileIndex: 0)
        var count = 0
        _ = try live.readLive(cpus, idle: {
            idles += 1
            // Nothing for 50 waits, then everything.
            if idles == 50 {
                for cpu in cpus { cpu.current = LivePagesState(published: cpu.pages.count, publishTicket: 1, drainedTicket: 2, finished: true) }
            }
        }) { _ in count += 1 }
        XCTAssertEqual(idles, 50)
        XCTAssertEqual(count, try events(try TraceDatReader(path: url.path, fileIndex: 0)).count)
    }
}
