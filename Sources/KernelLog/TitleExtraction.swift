/// Applies a header's title rules to report text (syzkaller's `extractDescription` behaviour):
/// the rule whose title matches earliest wins; its groups and guilty frames fill the format.
struct TitleExtraction {
    var title: String = ""
    var alternatives: [String] = []
    var corruptionReason: String?
    var rule: TitleRule?
    /// Raw guilty frames chosen by the stack recipe (before syscall prefix stripping).
    var frames: [String] = []

    static let noFrames = "extracted no frames"

    static func extract(_ text: String, header: HeaderRule) -> TitleExtraction {
        let subject = PatternSubject(text)
        var result = TitleExtraction()
        var startPosition = subject.length
        var matchedTitle = false
        for rule in header.rules {
            guard var match = rule.title.firstMatch(in: subject), match.start <= startPosition else { continue }
            if match.start == startPosition && !result.title.isEmpty { continue }
            if match.start < startPosition {
                result = TitleExtraction()
                startPosition = match.start
            }
            matchedTitle = true
            if let report = rule.report {
                guard let reportMatch = report.firstMatch(in: subject) else { continue }
                match = reportMatch
            }
            let arguments = match.groups.map { $0 ?? "" }
            var frames: [(canonical: String, raw: String)] = []
            result.corruptionReason = nil
            if let stack = rule.stack {
                let extracted = StackFrameExtraction.extract(stack, lines: subject.text(from: match.start, to: subject.length))
                frames = extracted.frames
                if !extracted.ok { result.corruptionReason = noFrames }
            }
            let values = arguments + frames.map(\.canonical)
            result.title = format(rule.format, values)
            var alternatives = rule.alternatives.map { format($0, values) }
            // Titles with syscall prefixes only partially stripped help deduplication.
            let rawValues = arguments + frames.map(\.raw)
            let rawTitle = format(rule.format, rawValues)
            if rawTitle != result.title { alternatives.append(rawTitle) }
            for prefix in TitleGrammar.strippedPrefixes {
                let partial = arguments + frames.map { $0.raw.hasPrefix(prefix) ? String($0.raw.dropFirst(prefix.count)) : $0.raw }
                let partialTitle = format(rule.format, partial)
                if partialTitle != result.title { alternatives.append(partialTitle) }
            }
            var seen = Set<String>()
            result.alternatives = alternatives.filter { seen.insert($0).inserted }
            result.frames = frames.map(\.raw)
            result.rule = rule
        }
        if result.title.isEmpty {
            if matchedTitle { result.corruptionReason = "matched title but not report regexp" }
            if let position = subject.offset(of: String(decoding: header.header, as: UTF8.self)) {
                let end = subject.offset(of: "\n", from: position) ?? subject.length
                result.title = subject.text(from: position, to: end)
            }
        }
        if result.corruptionReason == nil, let rule = result.rule, rule.corrupted {
            result.corruptionReason = "report format is marked as corrupted"
        }
        return result
    }

    /// Replaces `$1`…`$9` with values (missing ones become empty).
    static func format(_ template: String, _ values: [String]) -> String {
        var output = ""
        var iterator = template.makeIterator()
        while let character = iterator.next() {
            if character == "$" {
                guard let digit = iterator.next() else { output.append("$"); break }
                if let index = digit.wholeNumberValue, index >= 1 {
                    if index <= values.count { output += values[index - 1] }
                } else {
                    output.append("$")
                    output.append(digit)
                }
            } else {
                output.append(character)
            }
        }
        return output
    }
}

/// Walks a stack recipe over report lines and picks guilty frames.
enum StackFrameExtraction {
    static func extract(_ recipe: StackRecipe, lines text: String) -> (frames: [(canonical: String, raw: String)], ok: Bool) {
        let lines = text.utf8.split(separator: ASCII.newline, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        let first = run(recipe.parts, recipe: recipe, lines: lines)
        if first.ok || recipe.fallbackParts.isEmpty { return first }
        return run(recipe.fallbackParts, recipe: recipe, lines: lines)
    }

    private static func run(_ parts: [StackPart], recipe: StackRecipe, lines: [String])
        -> (frames: [(canonical: String, raw: String)], ok: Bool) {
        var rawFrames: [String] = []
        var results: [(canonical: String, raw: String)] = []
        var ok = true
        var traces = 0
        var lineIndex = 0
        var partIndex = 0
        partLoop: while true {
            if partIndex == parts.count || (isTrace(parts[partIndex]) && traces > 0) {
                if let key = choose(rawFrames, recipe: recipe) {
                    results.append(key)
                } else {
                    results.append(("corrupted", "corrupted"))
                    ok = false
                }
                rawFrames = []
            }
            if partIndex == parts.count { break }
            switch parts[partIndex] {
            case .trace:
                traces += 1
                while lineIndex < lines.count {
                    // One subject per line for every pattern tried on it.
                    let line = PatternSubject(lines[lineIndex])
                    lineIndex += 1
                    if TitleGrammar.corruptedLines.contains(where: { $0.firstMatch(in: line) != nil }) {
                        ok = false
                        partIndex += 1
                        continue partLoop
                    }
                    if TitleGrammar.stackStarts.contains(where: { $0.firstMatch(in: line) != nil }) {
                        partIndex += 1
                        continue partLoop
                    }
                    if partIndex != parts.count - 1, case .line(let next) = parts[partIndex + 1],
                       let match = next.firstMatch(in: line) {
                        append(&rawFrames, match.groups, recipe: recipe)
                        partIndex += 2
                        continue partLoop
                    }
                    for pattern in TitleGrammar.frameLines {
                        if let match = pattern.firstMatch(in: line) {
                            append(&rawFrames, match.groups, recipe: recipe)
                            break
                        }
                    }
                }
            case .line(let pattern):
                while lineIndex < lines.count {
                    let line = PatternSubject(lines[lineIndex])
                    lineIndex += 1
                    if TitleGrammar.corruptedLines.contains(where: { $0.firstMatch(in: line) != nil }) {
                        ok = false
                        partIndex += 1
                        continue partLoop
                    }
                    if let match = pattern.firstMatch(in: line) {
                        append(&rawFrames, match.groups, recipe: recipe)
                        break
                    }
                }
            }
            partIndex += 1
        }
        return (results, ok)
    }

    private static func isTrace(_ part: StackPart) -> Bool {
        if case .trace = part { return true }
        return false
    }

    private static func append(_ frames: inout [String], _ groups: [String?], recipe: StackRecipe) {
        for case let raw? in groups {
            let frame = Demangling.filter(raw)
            if !recipe.skip.matches(frame) { frames.append(frame) }
        }
    }

    /// Shortest name after removing one syscall-wrapper prefix.
    static func stripPrefixes(_ frame: String) -> String {
        var best = frame
        for prefix in TitleGrammar.strippedPrefixes where frame.hasPrefix(prefix) {
            let stripped = String(frame.dropFirst(prefix.count))
            if stripped.count < best.count { best = stripped }
        }
        return best
    }

    private static func choose(_ raw: [String], recipe: StackRecipe) -> (canonical: String, raw: String)? {
        guard !raw.isEmpty else { return nil }
        let stripped = raw.map(stripPrefixes)
        switch recipe.choice {
        case .first:
            return stripped[0].isEmpty ? nil : (stripped[0], raw[0])
        case .stall:
            guard let (frame, index) = stallFrame(stripped) else { return nil }
            return (frame, raw[index])
        case .hang:
            guard let (frame, index) = hangFrame(stripped) else { return nil }
            return (frame, raw[index])
        }
    }

    static func stallFrame(_ frames: [String]) -> (String, Int)? {
        var previous = frames[0]
        var previousIndex = 0
        for (index, frame) in frames.enumerated() {
            if TitleGrammar.stallAnchors.matches(frame) {
                if frame.contains("smp_call_function") { return ("smp_call_function", index) }
                return (previous, previousIndex)
            }
            previous = frame
            previousIndex = index
        }
        return nil
    }

    static func hangFrame(_ frames: [String]) -> (String, Int)? {
        let anchors: [(String, String?)] = [("rtnl_lock", nil), ("synchronize_rcu", "synchronize_rcu"),
                                            ("synchronize_srcu", "synchronize_rcu"), ("synchronize_net", "synchronize_rcu"),
                                            ("synchronize_sched", "synchronize_rcu")]
        for (index, frame) in frames.enumerated() {
            for (anchor, replacement) in anchors where frame.contains(anchor) {
                return (replacement ?? frame, index)
            }
        }
        let waiting = ["sched", "_lock", "_slowlock", "down", "rwsem", "completion", "kthread", "wait", "synchronize",
                       "context_switch", "__switch_to", "cancel_delayed_work", "rcu_barrier"]
        for (index, frame) in frames.enumerated() where !waiting.contains(where: { frame.contains($0) }) {
            return (frame, index)
        }
        return nil
    }
}

/// Decides whether a titled report was cut short (syzkaller's `isCorrupted`).
enum CorruptionCheck {
    static func reason(title: String, report: String, rule: TitleRule?) -> String? {
        if TitleGrammar.corruptedTitle.matches(title) { return "title matches corrupted regexp" }
        guard let rule, !rule.noStackTrace else { return nil }
        let subject = PatternSubject(report)
        var hasStackTrace = false
        for key in TitleGrammar.stackStarts {
            guard let match = key.firstMatch(in: subject) else { continue }
            let rest = subject.text(from: match.start, to: subject.length)
            let lines = rest.utf8.split(separator: ASCII.newline, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            if lines.count < 4 { return "call trace is missed" }
            var corrupted = true
            scan: for line in lines.dropFirst().prefix(15) {
                let text = String(line)
                let subject = PatternSubject(text)
                for start in TitleGrammar.stackStarts where start.firstMatch(in: subject) != nil { break scan }
                if text.contains("(stack is not available)")
                    || TitleGrammar.frameLines.contains(where: { $0.firstMatch(in: subject) != nil }) {
                    hasStackTrace = true
                    corrupted = false
                    break
                }
            }
            if key !== TitleGrammar.riscvStackStart && corrupted { return "no frames in a stack trace" }
        }
        return hasStackTrace ? nil : "no stack trace in report"
    }
}

/// Replaces run-specific parts of titles (addresses, line numbers, pids) like syzkaller does.
enum TitleNormalization {
    private static let replacements: [(Pattern, String)] = [
        (Pattern(#"syz-executor\.?[0-9]+((/|:)[0-9]+)?"#), "syz-executor"),
        (Pattern(#"syzkaller[0-9]+((/|:)[0-9]+)?"#), "syzkaller"),
        (Pattern(#"([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}"#), "$1ADDR"),
        (Pattern(#"([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})"#), "IP"),
        (Pattern(#"(\.\w+)(:[0-9]+)+"#), "$1:LINE"),
        (Pattern(#"([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+/0x[0-9a-z]+"#), "$1"),
        (Pattern(#"CPU#[0-9]+"#), "CPU"),
        (Pattern(#"(\W)(\d+)(\W|$)"#), "$1NUM$3"),
        (Pattern(#"(\d+){7,}"#), "NUM"),
    ]

    static func normalize(_ title: String) -> String {
        var text = title
        for (pattern, template) in replacements {
            var rounds = 0
            while rounds < 16 {
                let replaced = pattern.replacingAll(in: text, with: template)
                if replaced == text { break }
                text = replaced
                rounds += 1
            }
        }
        return sanitize(text)
    }

    /// Drops control and non-ASCII characters, squeezes spaces, truncates to 120 characters.
    static func sanitize(_ title: String) -> String {
        var output: [UInt8] = []
        var previous: UInt8 = ASCII.space
        for (index, var byte) in title.utf8.enumerated() {
            if index >= 120 { break }
            if byte == ASCII.tab { byte = ASCII.space } else if byte < 0x20 || byte >= 0x7F { continue }
            if byte == ASCII.space && previous == ASCII.space { continue }
            output.append(byte)
            previous = byte
        }
        while output.last == ASCII.space { output.removeLast() }
        return String(decoding: output, as: UTF8.self)
    }
}
