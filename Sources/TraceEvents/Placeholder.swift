// TraceEvents
