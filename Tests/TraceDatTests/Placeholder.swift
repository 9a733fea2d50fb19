import XCTest

final class TraceDatTestsPlaceholder: XCTestCase {}
