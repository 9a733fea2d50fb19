/// Which findings `explain` tells: by position (`3`, from 1) or by rule (`DIO002` or its name).
public struct StorySelection: Sendable, Equatable {
    public var selectors: [String]

    public init(_ selectors: [String]) { self.selectors = selectors }

    /// The stories the selectors name, in report order; all of them without selectors. Throws
    /// the one-line message for a selector that names nothing.
    public func apply(_ stories: [FindingStory]) throws(SelectionError) -> [FindingStory] {
        guard !selectors.isEmpty else { return stories }
        var keep = Set<Int>()
        for s in selectors {
            let matched: [FindingStory]
            if let n = Int(s) {
                matched = stories.filter { $0.index == n }
            } else {
                matched = stories.filter { $0.rule.id.caseInsensitiveEquals(s) || $0.rule.name == s }
            }
            guard !matched.isEmpty else {
                throw SelectionError(message: "no finding matches '\(s)' (the trace has \(stories.count) finding\(stories.count == 1 ? "" : "s")\(stories.isEmpty ? "" : ": 1-\(stories.count)"))")
            }
            keep.formUnion(matched.map(\.index))
        }
        return stories.filter { keep.contains($0.index) }
    }
}

public struct SelectionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
