import XCTest

final class KernelLogTestsPlaceholder: XCTestCase {}
