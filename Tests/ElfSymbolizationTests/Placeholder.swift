import XCTest

final class ElfSymbolizationTestsPlaceholder: XCTestCase {}
