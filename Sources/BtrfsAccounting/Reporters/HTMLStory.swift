import ReportOutput

/// A finding's story as an HTML table (the HTML report's story panel).
enum HTMLStory {
    static func render(_ story: FindingStory) -> String {
        var out = "<section class=\"story\" id=\"story-\(story.index)\" data-finding=\"\(story.index)\" hidden>\n"
        out += "<h3>#\(story.index) \(escape(story.severity.rawValue)): \(escape(story.rule.id)) \(escape(story.rule.name))</h3>\n"
        out += "<p class=\"subject\">\(escape(story.subject))</p>\n<p class=\"message\">\(escape(story.message))</p>\n"
        out += "<table><thead><tr><th>time</th>"
        for (i, t) in story.tasks.enumerated() { out += "<th>Task \(StoryMarkdown.letter(i))<br>\(escape(t.label))</th>" }
        for k in story.balances { out += "<th class=\"num\">\(escape(k.rawValue))</th>" }
        out += "<th>trace line</th></tr></thead><tbody>\n"
        for row in story.rows {
            let cls: String
            switch row.kind {
            case .event: cls = "event"
            case .elided: cls = "elided"
            case .conclusion: cls = "conclusion"
            }
            out += "<tr class=\"\(cls)\"><td class=\"num\">\(StoryText.time(row.timestamp))</td>"
            switch row.kind {
            case .event:
                for t in story.tasks.indices { out += "<td>\(row.task == t ? escape(row.text) : "")</td>" }
            case .elided, .conclusion:
                out += "<td colspan=\"\(max(story.tasks.count, 1))\">\(escape(row.text))</td>"
            }
            if story.tasks.isEmpty, case .event = row.kind { out += "<td>\(escape(row.text))</td>" }
            for k in story.balances.indices {
                let v = k < row.balances.count ? row.balances[k].map { EventNarration.value($0, story.balances[k]) } ?? "?" : ""
                out += "<td class=\"num\">\(v)</td>"
            }
            out += "<td class=\"loc\">\(row.line.map { escape(row.file ?? "?") + ":" + String($0) } ?? "")</td></tr>\n"
        }
        return out + "</tbody></table>\n</section>\n"
    }

    static func escape(_ s: String) -> String { MarkupEscaping.escape(s) }
}
