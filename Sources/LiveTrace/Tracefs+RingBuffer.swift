extension Tracefs {
    /// The located (or mounted) tracefs, checked writable: `init()`, then `requireWritable()`.
    public static func writable() throws(LiveTraceError) -> Tracefs {
        let tracefs = try Tracefs()
        try tracefs.requireWritable()
        return tracefs
    }

    /// The CPUs with a ring buffer (`per_cpu/cpuN`), ascending.
    public func ringBufferCPUs() throws(LiveTraceError) -> [Int] {
        try FileIO.listDirectory(path("per_cpu")).compactMap { $0.hasPrefix("cpu") ? Int($0.dropFirst(3)) : nil }.sorted()
    }

    /// The size of a ring-buffer page (sub-buffer) as `trace_pipe_raw` returns it: the end of
    /// the `data` field of `events/header_page` (`offset:16; size:4080` gives 4096).
    public func ringBufferPageSize() throws(LiveTraceError) -> Int {
        let text = try read("events/header_page")
        for line in text.split(separator: "\n") where line.contains(" data;") {
            let values = line.split(separator: ";").compactMap { part -> (String, Int)? in
                let kv = part.split(separator: ":")
                guard kv.count == 2, let v = Int(kv[1].filter { $0 != " " && $0 != "\t" }) else { return nil }
                return (kv[0].filter { $0 != " " && $0 != "\t" }, v)
            }
            let fields = Dictionary(values, uniquingKeysWith: { a, _ in a })
            if let offset = fields["offset"], let size = fields["size"] { return offset + size }
        }
        throw .unexpectedContent(path: path("events/header_page"), content: text)
    }

    /// `saved_cmdlines` now (`pid comm` lines), nil when unreadable.
    public func savedCommandLines() -> [UInt8]? {
        try? FileIO.readBytes(path("saved_cmdlines"))
    }
}
