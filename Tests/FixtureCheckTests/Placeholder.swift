import XCTest

final class FixtureCheckTestsPlaceholder: XCTestCase {}
