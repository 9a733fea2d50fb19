/// Finds report headers on a line without regular expressions: one pass over the line with a
/// first-byte table, then the header's suppression rules only when a header substring is present.
struct HeaderScanner: Sendable {
    let headers: [HeaderRule]
    private let byFirstByte: [[Int]]

    init(headers: [HeaderRule] = HeaderRules.all) {
        self.headers = headers
        var table = Array(repeating: [Int](), count: 256)
        for (index, header) in headers.enumerated() {
            if let first = header.header.first { table[Int(first)].append(index) }
        }
        byFirstByte = table
    }

    /// Index into `headers` of the first (in table order) header present on the line and not suppressed.
    func header(in bytes: [UInt8], start: Int, end: Int) -> Int? {
        var found: UInt64 = 0
        var position = start
        while position < end {
            let candidates = byFirstByte[Int(bytes[position])]
            if !candidates.isEmpty {
                for index in candidates where found & (1 << UInt64(index)) == 0 {
                    if bytes.hasPrefix(headers[index].header, at: position, end: end) { found |= 1 << UInt64(index) }
                }
            }
            position += 1
        }
        guard found != 0 else { return nil }
        var lineText: String?
        for index in 0..<headers.count where found & (1 << UInt64(index)) != 0 {
            let suppressions = headers[index].suppressions
            let requirements = headers[index].requirements
            if suppressions.isEmpty && requirements.isEmpty { return index }
            let text = lineText ?? bytes.text(from: start, to: end)
            lineText = text
            if !requirements.isEmpty && !requirements.contains(where: { $0.matches(text) }) { continue }
            if !suppressions.contains(where: { $0.matches(text) }) { return index }
        }
        return nil
    }
}
