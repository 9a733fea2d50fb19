#if canImport(Glibc)
import Glibc
#endif
import TraceEvents

/// Function names by address from a trace.dat's kallsyms text (`ffffffffc0a1b2c0 t name\t[module]`),
/// for `%ps` fields: an address is named by the symbol at the highest address at or below it (of
/// symbols at one address, the first listed), as libtraceevent's `tep_find_function` does; past
/// the last symbol only its exact address is named. The text is indexed on first use (one pass
/// over its bytes; names stay in the text until asked for): kallsyms is megabytes and most
/// traces never name a function.
final class FunctionSymbols: FunctionNaming {
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

    /// `ADDRESS TYPE NAME[\t[MODULE]]` per line. Lines are found with memchr and the name's end
    /// with memchr for the tab before the module (names hold no blanks); entries are sorted by
    /// (address, position in the text), which keeps the first listed of one address first.
    private func parse() {
        parsed = true
        text = load()
        guard let text, let base = text.baseAddress, text.count < Int(UInt32.max) else { return }
        var entries: [Entry] = []
        entries.reserveCapacity(text.count / 40)
        let count = text.count
        var position = 0
        var sorted = true
        while position < count {
            let lineEnd = memchr(base + position, 0x0A, count - position).map { base.distance(to: UnsafeRawPointer($0)) } ?? count
            defer { position = lineEnd + 1 }
            var index = position
            var address: UInt64 = 0
            let digitsEnd = min(lineEnd, position + 16)
            while index < digitsEnd, let digit = Self.hexValue(text[index]) {
                address = address << 4 | UInt64(digit)
                index += 1
            }
            // One space, a one-letter type, one space, the name up to a blank.
            guard index > position, index + 3 < lineEnd, text[index] == 0x20, text[index + 2] == 0x20 else { continue }
            let start = index + 3
            var end = memchr(base + start, 0x09, lineEnd - start).map { base.distance(to: UnsafeRawPointer($0)) } ?? lineEnd
            if let space = memchr(base + start, 0x20, end - start) { end = base.distance(to: UnsafeRawPointer(space)) }
            guard end > start else { continue }
            if let last = entries.last, last.address > address { sorted = false }
            entries.append(Entry(address: address, start: UInt32(start), end: UInt32(end)))
        }
        // Text positions grow with the listing order, so (address, start) orders ties as listed.
        if !sorted { entries.sort { $0.address != $1.address ? $0.address < $1.address : $0.start < $1.start } }
        addresses.reserveCapacity(entries.count)
        names.reserveCapacity(entries.count)
        for entry in entries where addresses.last != entry.address {
            addresses.append(entry.address)
            names.append((entry.start, entry.end))
        }
    }

    private struct Entry {
        var address: UInt64
        var start: UInt32
        var end: UInt32
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
