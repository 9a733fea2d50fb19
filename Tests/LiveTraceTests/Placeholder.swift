import XCTest

final class LiveTraceTestsPlaceholder: XCTestCase {}
