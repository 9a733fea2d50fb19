/// Builds the structured part of a report (frames, registers, CPU/PID/Comm, taint, version,
/// hardware, modules, header location) from its lines.
struct ReportAssembler {
    private var frames: [StackFrame] = []
    private var addressed: [StackFrame] = []
    private var registers: [Register] = []
    private var modules: [String] = []
    private var messages: [String] = []
    private var context: StackContext?
    private var section: String?
    private var instructionPointer: StackFrame?
    private var cpu: Int?
    private var pid: Int?
    private var comm: String?
    private var taint: String?
    private var kernelVersion: String?
    private var hardware: String?
    private var sawCPULine = false
    private static let addressOpen: [UInt8] = Array("[<".utf8)

    mutating func consume(_ line: LogLine, bytes: [UInt8]) {
        let start = line.messageStart
        let end = line.end
        let message = bytes.text(from: start, to: end)
        messages.append(message)
        if message.count > 4096 { return }
        let trimmed = message.drop(while: { $0 == " " || $0 == "\t" })

        if let frameLine = FrameLineParser.parse(bytes, start: start, end: end) {
            switch frameLine {
            case .marker(let marker, _):
                context = marker
            case .frame(var frame, let marker):
                if marker != nil { context = marker }
                frame.context = context
                frame.section = section
                if line.questionable { frame.reliable = false }
                frames.append(frame)
                if frame.address != nil, frame.function != nil, frame.offset != nil { addressed.append(frame) }
            }
            return
        }
        if let trap = trapFrame(trimmed) {
            var frame = trap
            frame.context = context
            frame.section = section
            frame.isTrapPC = true
            if instructionPointer == nil { instructionPointer = frame }
            frames.append(frame)
            if frame.address != nil, frame.function != nil { addressed.append(frame) }
            return
        }
        if isSectionTitle(trimmed) {
            section = String(trimmed.hasSuffix(":") ? trimmed.dropLast() : trimmed)
            context = nil
            return
        }
        if trimmed.hasPrefix("CPU: ") && !sawCPULine {
            sawCPULine = true
            parseCPULine(trimmed)
            return
        }
        if trimmed.hasPrefix("Hardware name: ") {
            if hardware == nil { hardware = String(trimmed.dropFirst("Hardware name: ".count)) }
            return
        }
        if trimmed.hasPrefix("Modules linked in:") {
            if modules.isEmpty { modules = parseModules(trimmed.dropFirst("Modules linked in:".count)) }
            return
        }
        parseRegisters(trimmed)
        // Lockdep / irq-trace lines carry "[<addr>] func+off/size" in the middle.
        let utf8 = Array(trimmed.utf8)
        if let bracket = utf8.firstIndex(of: Self.addressOpen, from: 0, to: utf8.count) {
            if let frame = FrameLineParser.frame(utf8, start: bracket, end: utf8.count), frame.address != nil,
               frame.function != nil {
                addressed.append(frame)
            }
        }
    }

    func build(header: String) -> KernelReport {
        var report = KernelReport(kind: .other, title: "")
        report.header = header
        report.frames = frames
        report.addressedSymbols = addressed
        report.registers = registers
        report.modules = modules
        report.lines = messages
        report.instructionPointer = instructionPointer
        report.cpu = cpu
        report.pid = pid
        report.comm = comm
        report.taint = taint
        report.kernelVersion = kernelVersion
        report.hardwareName = hardware
        HeaderFields.apply(header: header, to: &report)
        return report
    }

    // MARK: - Line kinds

    private func isSectionTitle(_ text: Substring) -> Bool {
        guard text.count < 120 else { return false }
        let starts = ["Call Trace", "Call trace", "Backtrace:", "Allocated by task", "Freed by task", "Allocated:",
                      "Freed:", "Last potentially related work creation:", "Second to last potentially related",
                      "stack backtrace:", "Uninit was", "Local variable", "Exception stack", "-> #", "page last allocated",
                      "page last free", "backtrace:", "irq event stamp"]
        return starts.contains { text.hasPrefix($0) } || (text.hasSuffix(" backtrace:") && !text.contains("stack is"))
    }

    /// `RIP: 0010:func+…`, `pc : func+…`, `NIP [c…] func+…`, `PC is at func+…`, `epc : …`, s390 `Krnl PSW : … (func+…)`.
    private func trapFrame(_ text: Substring) -> StackFrame? {
        let tags = ["RIP: ", "EIP: ", "pc : ", "NIP [", "PC is at ", "epc : ", "NIP:  ", "Krnl PSW : "]
        guard let tag = tags.first(where: { text.hasPrefix($0) }) else { return nil }
        var rest = Array(text.utf8)
        var position = tag.utf8.count
        if tag == "NIP [" { position -= 1 }
        if tag == "Krnl PSW : " {
            guard let open = rest.firstIndex(of: ASCII.openParen) else { return nil }
            position = open + 1
        }
        // Segment prefix "0010:"
        if let digits = NumberScanner.decimal(rest, at: position, end: rest.count), digits.end < rest.count,
           rest[digits.end] == ASCII.colon {
            if digits.value == 0x33 || rest.hasPrefix(Array("0033:".utf8), at: position, end: rest.count) { return nil }
            position = digits.end + 1
        }
        if tag == "epc : " {
            // RISC-V prints "epc : ffffffe000a9c0d4 ra : …" or "epc : func+0x…".
            if let frame = FrameLineParser.frame(rest, start: position, end: rest.count) { return frame }
            if let number = NumberScanner.hex(rest, at: position, end: rest.count) {
                return StackFrame(address: number.value)
            }
            return nil
        }
        rest = Array(rest[position...])
        return FrameLineParser.frame(rest, start: 0, end: rest.count)
    }

    /// `CPU: 1 UID: 0 PID: 3629 Comm: syz-executor.5 Tainted: G        W  OE      6.1.0-50-amd64 #1 …`
    private mutating func parseCPULine(_ text: Substring) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        var index = 0
        while index < words.count {
            let word = words[index]
            if word == "CPU:", index + 1 < words.count { cpu = Int(words[index + 1]) }
            if word == "PID:", index + 1 < words.count { pid = Int(words[index + 1]) }
            if word == "Comm:", index + 1 < words.count { comm = String(words[index + 1]) }
            if word == "Not", index + 1 < words.count, words[index + 1] == "tainted" {
                if index + 2 < words.count { kernelVersion = String(words[index + 2]) }
                break
            }
            if word == "Tainted:" {
                var flags: [Substring] = []
                var next = index + 1
                while next < words.count, words[next].allSatisfy({ $0.isLetter && $0.isUppercase }) || words[next] == "G" {
                    flags.append(words[next])
                    next += 1
                }
                taint = flags.joined(separator: " ")
                if next < words.count { kernelVersion = String(words[next]) }
                break
            }
            index += 1
        }
    }

    private func parseModules(_ text: Substring) -> [String] {
        var names: [String] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if word.hasPrefix("[") { break }   // "[last unloaded: …]"
            let name = word.prefix(while: { $0 != "(" })
            if !name.isEmpty { names.append(String(name)) }
        }
        return names
    }

    /// Lines of `NAME: hexvalue` pairs (x86 `RAX: … RBX: …`, arm64 `x29: … x28: …`, `sp : …`).
    private mutating func parseRegisters(_ text: Substring) {
        guard let first = text.first, first.isLetter, text.count < 200 else { return }
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 2 else { return }
        var pairs: [Register] = []
        var index = 0
        while index < words.count {
            var name = words[index]
            var valueIndex = index + 1
            if name.hasSuffix(":") {
                name = name.dropLast()
            } else if valueIndex < words.count, words[valueIndex] == ":" {
                valueIndex += 1
            } else {
                return
            }
            guard valueIndex < words.count, !name.isEmpty, name.count <= 8,
                  name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return }
            var valueText = words[valueIndex]
            if let colon = valueText.lastIndex(of: ":") { valueText = valueText[valueText.index(after: colon)...] }
            if let paren = valueText.firstIndex(of: "(") { valueText = valueText[..<paren] }
            guard valueText.count >= 4, valueText.utf8.allSatisfy(ASCII.isHexDigit) else { return }
            // Values wider than 64 bits are dropped, the rest of the line is still read.
            if let value = valueText.parseHex() { pairs.append(Register(name: String(name), value: value)) }
            index = valueIndex + 1
        }
        registers.append(contentsOf: pairs)
    }
}
