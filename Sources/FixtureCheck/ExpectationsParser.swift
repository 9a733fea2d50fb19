public import BtrfsAccounting

/// Parses `expect.txt`, the line-based expectations file of a case.
///
/// ```
/// # comment (the comment block at the top is kept by --update)
/// allow-other-findings no          # yes|no, default no
/// allow-other-reports no           # yes|no, default no
/// finding DIO001 inode=257 severity=error root=5 task=fio pid=812
/// finding DIO020 inode=-
/// report "WARNING in btrfs_destroy_inode"
/// ```
///
/// A word is a run of non-blank characters; double quotes group blanks (`task="kworker/u16:3 x"`),
/// `\"` and `\\` escape inside quotes; `#` outside quotes starts a comment.
public enum ExpectationsParser {
    /// Parses `text`; `file` names the file in errors.
    /// - Throws: `ExpectationsSyntaxError` with the 1-based line of the first problem.
    public static func parse(_ text: String, file: String) throws(ExpectationsSyntaxError) -> CaseExpectations {
        var expectations = CaseExpectations()
        var seen: Set<String> = []
        var inHeader = true
        // "\r\n" is one Character: split on it too, or a CRLF file is one line (and, starting with
        // `#`, one comment that silently skips every expectation).
        for (index, splitLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = index + 1
            // Carriage returns ending a line (last line of a CRLF file cut before its "\n", or
            // "\r\r\n") are a line end too: kept, `--update` would write them back before a "\n",
            // where the last one reads as CRLF and is gone (found by Fuzz/ target `expect`).
            var rawLine = splitLine
            while rawLine.last == "\r" { rawLine = rawLine.dropLast() }
            let trimmed = rawLine.drop { $0 == " " || $0 == "\t" }
            if inHeader, trimmed.hasPrefix("#") {
                expectations.headerComments.append(String(rawLine))
                continue
            }
            inHeader = false
            let words: [String]
            do { words = try split(String(rawLine)) } catch let message {
                throw ExpectationsSyntaxError(file: file, line: line, message: message.text)
            }
            guard let directive = words.first else { continue }
            let arguments = Array(words.dropFirst())
            func fail(_ message: String) -> ExpectationsSyntaxError {
                ExpectationsSyntaxError(file: file, line: line, message: message)
            }
            switch directive {
            case "finding":
                expectations.findings.append(try parseFinding(arguments, line: line, fail: fail))
            case "report":
                guard arguments.count == 1, !arguments[0].isEmpty else {
                    throw fail("expected one quoted title: report \"WARNING in btrfs_destroy_inode\"")
                }
                expectations.reports.append(ExpectedReport(title: arguments[0], line: line))
            case "allow-other-findings", "allow-other-reports":
                guard seen.insert(directive).inserted else { throw fail("'\(directive)' given twice") }
                guard arguments.count == 1, let value = ["yes": true, "no": false][arguments[0]] else {
                    throw fail("expected '\(directive) yes' or '\(directive) no'")
                }
                if directive == "allow-other-findings" { expectations.allowsOtherFindings = value }
                else { expectations.allowsOtherReports = value }
            default:
                throw fail("unknown directive '\(directive)' (expected finding, report, allow-other-findings, allow-other-reports)")
            }
        }
        return expectations
    }

    private static func parseFinding(_ arguments: [String], line: Int,
                                     fail: (String) -> ExpectationsSyntaxError) throws(ExpectationsSyntaxError) -> ExpectedFinding {
        guard let ruleID = arguments.first, !ruleID.contains("=") else {
            throw fail("expected a rule ID: finding DIO001 inode=257")
        }
        guard Rule.all.contains(where: { $0.id == ruleID }) else {
            throw fail("unknown rule ID '\(ruleID)' (known: \(Rule.all.map(\.id).joined(separator: ", ")))")
        }
        var finding = ExpectedFinding(ruleID: ruleID, inode: nil, line: line)
        var keys: Set<Substring> = []
        for argument in arguments.dropFirst() {
            guard let equals = argument.firstIndex(of: "=") else { throw fail("expected key=value, found '\(argument)'") }
            let key = argument[..<equals], value = String(argument[argument.index(after: equals)...])
            guard keys.insert(key).inserted else { throw fail("'\(key)' given twice") }
            func number<T: FixedWidthInteger>(_: T.Type) throws(ExpectationsSyntaxError) -> T {
                guard let parsed = T(value) else { throw fail("'\(key)' must be a number, found '\(value)'") }
                return parsed
            }
            switch key {
            case "inode": finding.inode = value == "-" ? nil : try number(UInt64.self)
            case "root": finding.root = try number(UInt64.self)
            case "pid": finding.pid = try number(Int32.self)
            case "task":
                guard !value.isEmpty else { throw fail("'task' must not be empty") }
                finding.task = value
            case "severity":
                guard let severity = Severity(rawValue: value) else {
                    throw fail("severity must be note, warning or error, found '\(value)'")
                }
                finding.severity = severity
            default:
                throw fail("unknown key '\(key)' (expected inode, severity, root, task, pid)")
            }
        }
        guard keys.contains("inode") else { throw fail("missing inode=N (inode=- for findings without an inode)") }
        return finding
    }

    struct SplitError: Error { var text: String }

    /// Splits a line into words, honouring double quotes and dropping a trailing comment.
    static func split(_ line: String) throws(SplitError) -> [String] {
        var words: [String] = []
        var current = ""
        var hasWord = false, quoted = false, escaped = false
        for character in line {
            if escaped {
                current.append(character); escaped = false
            } else if quoted {
                if character == "\\" { escaped = true }
                else if character == "\"" { quoted = false }
                else { current.append(character) }
            } else if character == "\"" {
                quoted = true; hasWord = true
            } else if character == " " || character == "\t" || character == "\r" {
                if hasWord { words.append(current); current = ""; hasWord = false }
            } else if character == "#" && !hasWord {
                break
            } else {
                current.append(character); hasWord = true
            }
        }
        if quoted { throw SplitError(text: "unterminated quoted string") }
        if hasWord { words.append(current) }
        return words
    }

    /// `"text"` with `"` and `\` escaped.
    public static func quote(_ text: String) -> String {
        var result = "\""
        for character in text {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }

    /// The word as is, or quoted when it holds blanks, quotes, `#`, or control characters (a
    /// carriage return splits an unquoted word when read back).
    public static func quoteIfNeeded(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.unicodeScalars.contains { " \t\"#\\".unicodeScalars.contains($0) || $0.value < 0x20 || $0.value == 0x7F }
        return needsQuotes ? quote(text) : text
    }

    /// The file `--update` writes: kept header comments, settings, then findings and reports.
    public static func render(_ expectations: CaseExpectations) -> String {
        var lines = expectations.headerComments
        lines.append("allow-other-findings \(expectations.allowsOtherFindings ? "yes" : "no")")
        lines.append("allow-other-reports \(expectations.allowsOtherReports ? "yes" : "no")")
        lines += expectations.findings.map(\.text)
        lines += expectations.reports.map(\.text)
        return lines.joined(separator: "\n") + "\n"
    }
}
