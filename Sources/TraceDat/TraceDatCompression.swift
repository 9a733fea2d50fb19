internal import CZlib
internal import CZstd

/// The compressions trace-cmd writes v7 files with (`trace-cmd list -c`): zstd and zlib, one-shot
/// per section or per chunk of CPU data.
enum TraceDatCompression {
    case zstd
    case zlib

    init?(name: String) {
        switch name {
        case "zstd": self = .zstd
        case "zlib": self = .zlib
        default: return nil
        }
    }

    /// Decompresses `data` into `output`, which must come out exactly full.
    func decompress(_ data: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                    what: @autoclosure () -> String) throws(TraceDatCorruption) {
        guard let source = data.baseAddress, !data.isEmpty else {
            if output.isEmpty { return }
            throw TraceDatCorruption("\(what()) has no compressed data")
        }
        guard let destination = output.baseAddress, !output.isEmpty else {
            throw TraceDatCorruption("\(what()) has an uncompressed size of 0")
        }
        switch self {
        case .zstd:
            let produced = ZSTD_decompress(destination, output.count, source, data.count)
            if ZSTD_isError(produced) != 0 {
                throw TraceDatCorruption("\(what()): corrupt zstd data (\(String(cString: ZSTD_getErrorName(produced))))")
            }
            guard produced == output.count else {
                throw TraceDatCorruption("\(what()): zstd data gives \(produced) bytes, the header says \(output.count)")
            }
        case .zlib:
            var length = uLongf(output.count)
            let rc = uncompress(destination.assumingMemoryBound(to: Bytef.self), &length,
                                source.assumingMemoryBound(to: Bytef.self), uLong(data.count))
            guard rc == Z_OK else { throw TraceDatCorruption("\(what()): corrupt zlib data (zlib error \(rc))") }
            guard Int(length) == output.count else {
                throw TraceDatCorruption("\(what()): zlib data gives \(length) bytes, the header says \(output.count)")
            }
        }
    }
}
