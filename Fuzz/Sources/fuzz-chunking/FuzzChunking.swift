import BtrfsAccounting
import FuzzSupport
import TraceEvents
import TraceInput

private let scratch = ScratchFile(suffix: "-chunking.txt")

/// Mapped file vs streamed input: the same bytes give the same report bytes whether the file is
/// mapped and decoded in parallel blocks, read through a descriptor in small chunks, or fed from
/// memory in arbitrary pieces. Two selector bytes pick the block and chunk sizes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunking(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzBytes(data, size)
    let blockSize = 16 + Int(input.byte()) * 16
    let chunkSize = 16 + Int(input.byte()) * 3
    let body = input.rest
    // Empty input is refused before reading (by the opener, which the in-memory entry skips).
    guard !body.isEmpty else { return 0 }
    var format = TraceFormat.sniff(Array(body.prefix(64 * 1024))) ?? .ftrace
    if format == .traceDat { format = .ftrace }
    scratch.write(body)

    var mapped = AnalysisOptions(formatOverride: format, allowMapping: true)
    mapped.parallelBlockSize = blockSize
    var streamed = AnalysisOptions(formatOverride: format, chunkSize: chunkSize, allowMapping: false)
    streamed.prefetch = chunkSize % 2 == 0
    var pieces: [Int] = []
    var remaining = body.count
    var seed = UInt32(truncatingIfNeeded: blockSize &* 31 &+ chunkSize)
    while remaining > 0 {
        seed = seed &* 1_103_515_245 &+ 12345
        let piece = 1 + Int(seed >> 16) % 97
        pieces.append(piece)
        remaining -= piece
    }
    let outcomes = [
        outcome { try Analysis.run(paths: [scratch.path], options: mapped) },
        outcome { try Analysis.run(paths: [scratch.path], options: streamed) },
        outcome {
            try Analysis.run(source: MemorySource(bytes: body, name: scratch.path, chunkSizes: pieces),
                             name: scratch.path, format: format, chunkSize: chunkSize)
        },
    ]
    let names = ["mapped (block \(blockSize))", "streamed (chunk \(chunkSize))", "memory (pieces)"]
    for i in 1..<outcomes.count where outcomes[i] != outcomes[0] {
        fuzzFailure("\(names[0]) and \(names[i]) differ:\n--- \(names[0])\n\(outcomes[0])\n--- \(names[i])\n\(outcomes[i])")
    }
    return 0
}

/// The report as JSON and text, or the error's message.
private func outcome(_ run: () throws -> AnalysisReport) -> String {
    do {
        let report = try run()
        return JSONReport.render(report) + "\n" + TextReport.render(report)
    } catch {
        return "error: \(error)"
    }
}

@_cdecl("fuzz_chunking_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzChunking)
}
