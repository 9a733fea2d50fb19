import XCTest

final class TraceEventsTestsPlaceholder: XCTestCase {}
