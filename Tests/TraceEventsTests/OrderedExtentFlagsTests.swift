import XCTest
@testable import TraceEvents

/// `fromKernelBits` takes the modern enum order as this type's own bit order and walks only the
/// set bits of 4.x numbers: it must give what mapping every bit through the order tables gives.
final class OrderedExtentFlagsTests: XCTestCase {
    func reference(_ bits: UInt64, modern: Bool) -> (OrderedExtentFlags, UInt64) {
        let order = modern ? OrderedExtentFlags.modernOrder : OrderedExtentFlags.legacyOrder
        var result: OrderedExtentFlags = []
        var unknown: UInt64 = 0
        for bit in 0..<64 where bits & (1 << UInt64(bit)) != 0 {
            if bit < order.count { result.insert(order[bit]) } else { unknown |= 1 << UInt64(bit) }
        }
        return (result, unknown)
    }

    func testModernOrderIsTheOwnBitOrder() {
        for (i, flag) in OrderedExtentFlags.modernOrder.enumerated() { XCTAssertEqual(flag.rawValue, 1 << UInt32(i)) }
    }

    func testKernelBitsMatchTheOrderTables() {
        var rng = SplitMix(seed: 0x0E0E)
        var values: [UInt64] = [0, 1, 0x12, 0x1FFF, 0x2000, UInt64.max, 1 << 63, 0x3FF, 0x400]
        for _ in 0..<5_000 { values.append(rng.next() >> (rng.next() % 64)) }
        for bits in values {
            for modern in [true, false] {
                let (flags, unknown) = OrderedExtentFlags.fromKernelBits(bits, modern: modern)
                let expected = reference(bits, modern: modern)
                XCTAssertEqual(flags, expected.0, "\(bits) modern \(modern)")
                XCTAssertEqual(unknown, expected.1, "\(bits) modern \(modern)")
            }
        }
    }
}
