/// KASLR slide inference: every frame that prints both a raw address and `function+offset`
/// votes for `address - (link-time symbol address + offset)`; the most common value wins.
public enum KaslrSlide {
    /// The value with the most votes, or nil when there are none or the top two tie.
    public static func majority(of votes: [Int64]) -> Int64? {
        var counts: [Int64: Int] = [:]
        for vote in votes { counts[vote, default: 0] += 1 }
        let ranked = counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        guard let best = ranked.first else { return nil }
        if ranked.count > 1 && ranked[1].value == best.value { return nil }
        return best.key
    }
}
