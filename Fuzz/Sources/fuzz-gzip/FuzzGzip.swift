import BtrfsAccounting
import FuzzSupport
import TraceEvents
import TraceInput

private let scratch = ScratchFile(suffix: "-gzip.gz")

/// gzip input: the bytes as a file through the CLI's path (`Analysis.run(paths:)`, which detects
/// gzip and inflates on a prefetch thread), and the inflated stream read with two different
/// buffer sizes, which must agree byte for byte; ISA-L (where present) and zlib must give the
/// same bytes, or both an error.
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

    /// The bytes, or that the stream is bad. Which error a bad stream gets first can differ
    /// between the libraries: a trailer cut short after 4 of its 8 bytes is "incorrect data
    /// check" for zlib (it checks the CRC as soon as it has it) and truncated for ISA-L (it waits
    /// for the whole trailer); both refuse the file.
    var kind: Inflated {
        if case .error = self { return .error("bad gzip stream") }
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
