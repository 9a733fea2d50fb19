/// The input of one libFuzzer iteration, consumed from the front: selector bytes first, the body
/// is what remains.
public struct FuzzBytes {
    public private(set) var bytes: ArraySlice<UInt8>

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size))[...] } ?? []
    }

    /// Takes one byte (0 when the input is exhausted).
    public mutating func byte() -> UInt8 {
        guard let first = bytes.first else { return 0 }
        bytes = bytes.dropFirst()
        return first
    }

    /// The unconsumed bytes.
    public var rest: [UInt8] { Array(bytes) }
}

/// Stops the process the way libFuzzer records as a crash, with the broken property named.
public func fuzzFailure(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("fuzz property violated: \(message)", file: file, line: line)
}
