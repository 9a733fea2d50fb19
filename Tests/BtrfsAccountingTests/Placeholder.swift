import XCTest

final class BtrfsAccountingTestsPlaceholder: XCTestCase {}
