// TraceInput
