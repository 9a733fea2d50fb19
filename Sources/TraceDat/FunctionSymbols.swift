/// Function names by address from a trace.dat's kallsyms text (`ffffffffc0a1b2c0 t name\t[module]`),
/// for `%ps` fields: an address is named by the symbol at the highest address at or below it (of
/// symbols at one address, the first listed), as libtraceevent's `tep_find_function` does; past
/// the last symbol only its exact address is named. The text is indexed on first use (one pass
/// over its bytes; names stay in the text until asked for): kallsyms is megabytes and most
/// traces never name a function.
final class FunctionSymbols {
    private var text: UnsafeRawBufferPointer?
    private let load: () -> UnsafeRawBufferPointer?
    private var addresses: [UInt64] = []
    private var names: [(start: UInt32, end: UInt32)] = []
    private var parsed = false

    /// `kallsyms` gives the text when first needed.
    init(kallsyms: @escaping () -> UnsafeRawBufferPointer?) {
        load = kallsyms
    }

    func name(at address: UInt64) -> String? {
        if !parsed { parse() }
        guard let text else { return nil }
        // Last index with addresses[i] <= address.
        var low = 0
        var high = addresses.count
        while low < high {
            let middle = (low + high) / 2
            if addresses[middle] <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        if low == addresses.count, addresses[low - 1] != address { return nil }
        let name = names[low - 1]
        return String(decoding: UnsafeRawBufferPointer(rebasing: text[Int(name.start)..<Int(name.end)]), as: UTF8.self)
    }

    /// `ADDRESS TYPE NAME[\t[MODULE]]` per line.
    private func parse() {
        parsed = true
        text = load()
        guard let text, text.count < Int(UInt32.max) else { return }
        var entries: [(address: UInt64, start: UInt32, end: UInt32)] = []
        let count = text.count
        var position = 0
        while position < count {
            var lineEnd = position
            while lineEnd < count, text[lineEnd] != 0x0A { lineEnd += 1 }
            defer { position = lineEnd + 1 }
            var index = position
            var address: UInt64 = 0
            var digits = 0
            while index < lineEnd, digits < 16, let digit = Self.hexValue(text[index]) {
                address = address << 4 | UInt64(digit)
                digits += 1
                index += 1
            }
            // One space, a one-letter type, one space, the name up to a blank.
            guard digits > 0, index + 3 < lineEnd, text[index] == 0x20, text[index + 2] == 0x20 else { continue }
            let start = index + 3
            var end = start
            while end < lineEnd, text[end] != 0x20, text[end] != 0x09 { end += 1 }
            if end > start { entries.append((address, UInt32(start), UInt32(end))) }
        }
        // Stable by address; of symbols at one address the first listed is kept.
        let order = entries.indices.sorted { entries[$0].address != entries[$1].address ? entries[$0].address < entries[$1].address : $0 < $1 }
        addresses.reserveCapacity(order.count)
        names.reserveCapacity(order.count)
        for i in order where addresses.last != entries[i].address {
            addresses.append(entries[i].address)
            names.append((entries[i].start, entries[i].end))
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}
