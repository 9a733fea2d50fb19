/// A finding's story as plain text within `width` columns (100 by default): time, one column per
/// task, the balances after each row, and the trace line. Words wrap inside their column.
public enum StoryText {
    public static func render(_ stories: [FindingStory], inputs: [String], width: Int = 100) -> String {
        stories.map { render($0, inputs: inputs, width: width) }.joined(separator: "\n")
    }

    public static func render(_ story: FindingStory, inputs: [String], width: Int = 100) -> String {
        let files = StoryFiles(inputs: inputs)
        var out = wrap("#\(story.index) \(story.severity.rawValue): \(story.rule.id) \(story.rule.name)", width).joined(separator: "\n") + "\n"
        out += wrap(story.subject, width - 2).map { "  " + $0 }.joined(separator: "\n") + "\n"
        out += files.legend(width: width)
        let timeWidth = 12, lineWidth = files.locationWidth(story) + 1
        // Counts need few digits; byte balances up to `1023.5 MiB`-like widths.
        func balanceWidth(_ k: BalanceKind) -> Int { k.isCount ? 9 : 11 }
        let shownBalances = Array(story.balances.prefix(3))
        let balancesWidth = shownBalances.map(balanceWidth).reduce(0, +)
        let available = width - timeWidth - lineWidth - balancesWidth
        // One column per task, at most four; fewer when a column would get too narrow to read. The
        // last column then holds the remaining tasks, each row named.
        var taskCount = max(1, min(story.tasks.count, 4))
        var widths = columnWidths(story, taskCount: taskCount, available: available)
        func tooNarrow() -> Bool {
            let natural = columnWidths(story, taskCount: taskCount, available: Int.max)
            return widths.indices.contains { widths[$0] < min(natural[$0], 14) }
        }
        while taskCount > 1, tooNarrow() {
            taskCount -= 1
            widths = columnWidths(story, taskCount: taskCount, available: available)
        }
        let shared = story.tasks.count > taskCount
        func columnOf(_ task: Int?) -> Int? { task.map { min($0, taskCount - 1) } }
        func offset(_ column: Int) -> Int { widths.prefix(column).reduce(0, +) }
        // Header: task letters and names, balance names.
        var header1 = pad("time", timeWidth), header2 = pad("", timeWidth)
        for t in 0..<taskCount {
            let letter = String(UnicodeScalar(UInt8(65 + t)))
            let sharedColumn = shared && t == taskCount - 1
            header1 += pad(sharedColumn ? (t == 0 ? "Tasks" : "Tasks \(letter)-") : "Task \(letter)", widths[t])
            let label = sharedColumn ? (t == 0 ? "(each row names its task)" : "(others)") : story.tasks.indices.contains(t) ? story.tasks[t].label : ""
            header2 += pad(String(label.prefix(widths[t] - 1)), widths[t])
        }
        for k in shownBalances {
            let words = short(k).split(separator: " ", maxSplits: 1).map(String.init)
            header1 += leftPad(words[0], balanceWidth(k) - 1) + " "
            header2 += leftPad(words.count > 1 ? words[1] : "", balanceWidth(k) - 1) + " "
        }
        header1 += leftPad("line", lineWidth)
        out += "\n" + trimmed(header1) + "\n" + trimmed(header2) + "\n"
        for row in story.rows {
            switch row.kind {
            case .elided, .conclusion:
                let all = widths.reduce(0, +)
                let lines = wrap(row.text, all - 1)
                for (i, l) in lines.enumerated() {
                    var s = pad(i == 0 ? time(row.timestamp) : "", timeWidth) + pad(l, all)
                    if i == 0 { s += shownBalances.indices.map { leftPad(balance(row, $0, story), balanceWidth(shownBalances[$0]) - 1) + " " }.joined() }
                    out += trimmed(s) + "\n"
                }
            case .event:
                let column = columnOf(row.task) ?? 0
                var text = row.text
                if shared && column == taskCount - 1, let t = row.task { text = story.tasks[t].label + ": " + text }
                let lines = wrap(text, widths[column] - 1)
                for (i, l) in lines.enumerated() {
                    var s = pad(i == 0 ? time(row.timestamp) : "", timeWidth)
                    s += String(repeating: " ", count: offset(column)) + pad(l, widths[column])
                    s += String(repeating: " ", count: offset(taskCount) - offset(column + 1))
                    if i == 0 {
                        s += shownBalances.indices.map { leftPad(balance(row, $0, story), balanceWidth(shownBalances[$0]) - 1) + " " }.joined()
                        s += leftPad(files.location(row), lineWidth)
                    }
                    out += trimmed(s) + "\n"
                }
            }
        }
        return out
    }

    /// Each task column as wide as its longest row (plus a space), the widest ones narrowed
    /// until all fit in `available`.
    static func columnWidths(_ story: FindingStory, taskCount: Int, available: Int) -> [Int] {
        let shared = story.tasks.count > taskCount
        var widths = [Int](repeating: 8, count: taskCount)
        for (t, task) in story.tasks.enumerated() { widths[min(t, taskCount - 1)] = max(widths[min(t, taskCount - 1)], task.label.count + 1) }
        for row in story.rows {
            guard case .event = row.kind, let t = row.task else { continue }
            let c = min(t, taskCount - 1)
            widths[c] = max(widths[c], row.text.count + 1 + (shared && c == taskCount - 1 ? story.tasks[t].label.count + 2 : 0))
        }
        // Narrow the column where one character less adds the fewest wrapped lines (the widest on a tie).
        var texts = [[String]](repeating: [], count: taskCount)
        for row in story.rows {
            guard case .event = row.kind, let t = row.task else { continue }
            let c = min(t, taskCount - 1)
            texts[c].append(shared && c == taskCount - 1 ? story.tasks[t].label + ": " + row.text : row.text)
        }
        func lines(_ c: Int, _ w: Int) -> Int { texts[c].reduce(0) { $0 + wrap($1, w - 1).count } }
        while widths.reduce(0, +) > available {
            let candidates = widths.indices.filter { widths[$0] > 9 }
            guard let best = candidates.min(by: { a, b in
                let ca = lines(a, widths[a] - 1) - lines(a, widths[a]), cb = lines(b, widths[b] - 1) - lines(b, widths[b])
                return ca != cb ? ca < cb : widths[a] != widths[b] ? widths[a] > widths[b] : a < b
            }) else { break }
            widths[best] -= 1
        }
        return widths
    }

    static func balance(_ row: FindingStory.Row, _ k: Int, _ story: FindingStory) -> String {
        guard k < row.balances.count else { return "" }
        return row.balances[k].map { EventNarration.value($0, story.balances[k]) } ?? "?"
    }

    /// Column titles: `metadata reserved` -> `metadata` / `reserved`.
    static func short(_ k: BalanceKind) -> String {
        switch k {
        case .outstandingExtents: "extents"
        case .metadataReserved: "metadata reserved"
        case .dataReserved: "data reserved"
        case .openOrderedExtents: "OEs"
        case .qgroupData: "qgroup data"
        case .bytesMayUse: "bytes may_use"
        }
    }

    /// `295.436505` (microseconds, as ftrace prints them).
    static func time(_ ns: UInt64?) -> String {
        guard let ns else { return "" }
        let micro = String(ns % 1_000_000_000 / 1000)
        return "\(ns / 1_000_000_000)." + String(repeating: "0", count: 6 - micro.count) + micro
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func leftPad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    static func trimmed(_ s: String) -> String {
        var s = Substring(s)
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    /// Greedy word wrap; a word longer than the width is cut.
    static func wrap(_ text: String, _ width: Int) -> [String] {
        let width = max(width, 8)
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            var word = String(word)
            while word.count > width {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            if current.isEmpty { current = word } else if current.count + 1 + word.count <= width { current += " " + word } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}

/// Trace files as a story names them: the line number alone for one input, `2:5664` with a
/// legend for several.
struct StoryFiles {
    var inputs: [String]

    func legend(width: Int) -> String {
        if inputs.count == 1 { return StoryText.wrap("trace: \(inputs[0])", width - 2).map { "  " + $0 }.joined(separator: "\n") + "\n" }
        return inputs.enumerated().map { "  trace \($0 + 1): \($1)\n" }.joined()
    }

    func location(_ row: FindingStory.Row) -> String {
        guard let line = row.line else { return "" }
        if inputs.count <= 1 { return String(line) }
        let n = row.file.flatMap { f in inputs.firstIndex(of: f) }.map { $0 + 1 }
        return (n.map(String.init) ?? "?") + ":" + String(line)
    }

    func locationWidth(_ story: FindingStory) -> Int {
        max(4, story.rows.map { location($0).count }.max() ?? 4)
    }
}
