public import ReportOutput

/// A finding's story as a Markdown table (pasteable into a mail to the list): one column per
/// task, the balances after each row, and `file:line` of the trace line.
public enum StoryMarkdown {
    public static func render(_ stories: [FindingStory]) -> String {
        stories.map(render).joined(separator: "\n")
    }

    public static func render(_ story: FindingStory) -> String {
        var out = "### #\(story.index) \(story.severity.rawValue): \(story.rule.id) \(story.rule.name)\n\n"
        out += escape(story.subject) + "\n\n" + escape(story.message) + "\n\n"
        let tasks = story.tasks.enumerated().map { i, t in "Task \(letter(i)): \(t.label)" }
        let header = ["time"] + tasks + story.balances.map(\.rawValue) + ["trace line"]
        out += "| " + header.map(escape).joined(separator: " | ") + " |\n"
        out += "|" + header.indices.map { i in i == 0 || i > tasks.count ? "---:|" : "---|" }.joined() + "\n"
        for row in story.rows {
            var cells = [StoryText.time(row.timestamp)]
            for t in story.tasks.indices {
                switch row.kind {
                case .event: cells.append(row.task == t ? escape(row.text) : "")
                case .elided, .conclusion: cells.append(t == 0 ? "**" + escape(row.text) + "**" : "")
                }
            }
            if story.tasks.isEmpty { cells.append("**" + escape(row.text) + "**") }
            for k in story.balances.indices {
                cells.append(k < row.balances.count ? row.balances[k].map { EventNarration.value($0, story.balances[k]) } ?? "?" : "")
            }
            cells.append(row.line.map { "`\(row.file ?? "?"):\($0)`" } ?? "")
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    static func letter(_ i: Int) -> String { i < 26 ? String(UnicodeScalar(UInt8(65 + i))) : String(i + 1) }

    /// Table cells cannot hold `|` or newlines; `*`, `_` and backquotes would format.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "|", "*", "_", "`", "\\", "<", ">", "[", "]": out += "\\" + String(c)
            case "\n", "\r": out += " "
            default: out.append(c)
            }
        }
        return out
    }
}

/// `analyze --format markdown`: every finding's story, then the totals.
public enum MarkdownReport: ReportWriter {
    public typealias Subject = AnalysisReport
    public static let format = "markdown"

    public static func render(_ report: AnalysisReport) -> String {
        var out = "## dio-trace: \(StoryMarkdown.escape(report.inputs.joined(separator: ", ")))\n\n"
        let stories = FindingStory.make(report)
        out += "\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s"); \(report.statistics.events) events read.\n\n"
        if !stories.isEmpty { out += StoryMarkdown.render(stories) }
        return out
    }
}

/// `explain`'s text: every finding's story within 100 columns.
public enum StoryReport: ReportWriter {
    public typealias Subject = AnalysisReport
    public static let format = "text"

    public static func render(_ report: AnalysisReport) -> String {
        StoryText.render(FindingStory.make(report), inputs: report.inputs)
    }
}
