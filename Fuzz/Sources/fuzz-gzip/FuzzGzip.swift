import BtrfsAccounting
import FuzzSupport
import TraceEvents
import TraceInput

private let scratch = ScratchFile(suffix: "-gzip.gz")

/// gzip input: the bytes as a file through the CLI's path (`Analysis.run(paths:)`, which detects
/// gzip and inflates on a prefetch thread), and the inflated stream read with two different
/// buffer sizes, which must agree byte for byte; ISA-L (where present) and zlib must give the
/// same bytes or the same kind of error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzBytes(data, size)
    let bufferSize = 1 + Int(input.byte())
    let body = input.rest
    let whole = inflate(body, inputBufferSize: 1 << 20, chunk: 1 << 20)
    let small = inflate(body, inputBufferSize: bufferSize, chunk: 1 + bufferSize / 3)
    if whole != small {
        fuzzFailure("inflating with a \(bufferSize)-byte input buffer differs from a 1 MiB one: \(whole) vs \(small)")
    }
    let zlib = inflate(body, inputBufferSize: 1 << 20, chunk: 1 << 20, backend: .zlib)
    if whole.kind != zlib.kind {
        fuzzFailure("\(GzipBackend.preferred) and zlib differ: \(whole) vs \(zlib)")
    }
    scratch.write(body)
    do {
        let report = try Analysis.run(paths: [scratch.path])
        _ = TextReport.render(report)
        requireValidJSON(JSONReport.render(report), "JSONReport")
    } catch is InputError {
    } catch {
        fuzzFailure("Analysis.run threw a non-InputError: \(error)")
    }
    return 0
}

private enum Inflated: Equatable {
    case bytes([UInt8])
    case error(String)

    /// The bytes, or the error without the library's detail (`corrupt gzip stream`, truncated).
    var kind: Inflated {
        if case .error(let message) = self, message.contains("corrupt gzip stream") { return .error("corrupt") }
        return self
    }
}

private func inflate(_ body: [UInt8], inputBufferSize: Int, chunk: Int,
                     backend: GzipBackend = .preferred) -> Inflated {
    do {
        let source = try GzipSource(wrapping: MemorySource(bytes: body, name: "fuzz"), inputBufferSize: inputBufferSize,
                                    backend: backend)
        return .bytes(try source.readAll(chunkSize: chunk))
    } catch {
        return .error(error.description)
    }
}

@_cdecl("fuzz_gzip_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzGzip)
}
