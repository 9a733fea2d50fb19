internal import CIsal
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which library inflates gzip input: ISA-L (igzip, several times zlib's speed, loaded at run time
/// from libisal.so.2 when present) or zlib (always there, the fallback).
public enum GzipBackend: String, Sendable, CaseIterable {
    case isal, zlib

    /// libisal.so.2 loaded and dio-trace was built with its header (`libisal-dev`).
    public static var isalAvailable: Bool { cisal_available() != 0 }

    /// ISA-L when available, else zlib. `DIO_TRACE_GZIP=zlib` forces zlib (`=isal` asks for ISA-L,
    /// still falling back to zlib without it).
    public static var preferred: GzipBackend {
        if let forced = getenv("DIO_TRACE_GZIP").map({ String(cString: $0) }), forced == "zlib" { return .zlib }
        return isalAvailable ? .isal : .zlib
    }
}

/// One gzip decoder: inflates the members of the stream in `input` into the caller's buffer.
protocol GzipInflater: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

/// The one wording of a truncated stream, for both backends.
let truncatedGzipMessage = "truncated gzip stream (ended before the gzip trailer)"
