#!/usr/bin/env python3
"""Checks a Trace Event Format file (the JSON ui.perfetto.dev and chrome://tracing open) record by
record against the format's documented rules ("Trace Event Format", Google, the document the
Chromium trace viewer and Perfetto's JSON importer follow):

- the file is the JSON Object Format: {"traceEvents": [...], optional "displayTimeUnit" ("ms"|"ns"),
  optional "otherData" (object)};
- every event has "name" (string), "ph" (string), "pid" and "tid" (integers) and, except metadata
  events, "ts" (a number, microseconds); optional "cat" (string), "args" (object);
- "X" (complete) has "dur" >= 0; "B"/"E" (duration) nest per thread: an "E" closes the latest open
  "B" of the same pid/tid, its ts not before it, nothing left open at the end;
- complete slices on one thread nest too (no partial overlap), as the viewers draw them as a stack;
- "i"/"I" (instant) have "s" in {"g", "p", "t"} when given;
- "C" (counter) has "args" whose values are all numbers;
- "M" (metadata) names one of process_name, process_labels, process_sort_index, thread_name,
  thread_sort_index, with args {"name": string} (or {"sort_index": int} / {"labels": string});
- timestamps are not negative; events other than metadata are in ts order in this file (the
  dio-trace promise; the format allows any order).

Prints one line per problem; exit 0 when valid, 1 otherwise. With --summary prints counts by phase.
"""
import json
import sys

META = {"process_name": "name", "process_labels": "labels", "process_sort_index": "sort_index",
        "thread_name": "name", "thread_sort_index": "sort_index"}


def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def validate(doc):
    problems = []

    def bad(i, msg):
        problems.append(f"event {i}: {msg}")

    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return ["not the JSON Object Format: no traceEvents array"]
    if "displayTimeUnit" in doc and doc["displayTimeUnit"] not in ("ms", "ns"):
        problems.append("displayTimeUnit must be 'ms' or 'ns'")
    if "otherData" in doc and not isinstance(doc["otherData"], dict):
        problems.append("otherData must be an object")
    open_b = {}
    x_stack = {}
    last_ts = None
    for i, e in enumerate(doc["traceEvents"]):
        if not isinstance(e, dict):
            bad(i, "not an object")
            continue
        ph = e.get("ph")
        if not isinstance(ph, str) or len(ph) != 1:
            bad(i, f"ph {ph!r} is not a one-letter phase")
            continue
        if not isinstance(e.get("name"), str):
            bad(i, "name missing or not a string")
        for key in ("pid", "tid"):
            if not isinstance(e.get(key), int) or isinstance(e.get(key), bool):
                bad(i, f"{key} missing or not an integer")
        if "cat" in e and not isinstance(e["cat"], str):
            bad(i, "cat is not a string")
        if "args" in e and not isinstance(e["args"], dict):
            bad(i, "args is not an object")
        thread = (e.get("pid"), e.get("tid"))
        if ph == "M":
            field = META.get(e.get("name"))
            if field is None:
                bad(i, f"metadata event {e.get('name')!r} is not one of {sorted(META)}")
            elif field not in e.get("args", {}):
                bad(i, f"metadata {e['name']} without args.{field}")
            elif field == "name" and not isinstance(e["args"]["name"], str):
                bad(i, "metadata name is not a string")
            continue
        ts = e.get("ts")
        if not number(ts):
            bad(i, "ts missing or not a number (microseconds)")
            continue
        if ts < 0:
            bad(i, "ts is negative")
        if last_ts is not None and ts < last_ts:
            bad(i, f"ts {ts} before the previous event's {last_ts}")
        last_ts = ts
        if ph == "X":
            dur = e.get("dur")
            if not number(dur) or dur < 0:
                bad(i, "complete event without dur >= 0")
                continue
            stack = x_stack.setdefault(thread, [])
            while stack and stack[-1] <= ts:
                stack.pop()
            if stack and ts + dur > stack[-1]:
                bad(i, f"complete slice [{ts}, {ts + dur}] overlaps its parent ending at {stack[-1]} on thread {thread} without nesting")
            stack.append(ts + dur)
        elif ph == "B":
            open_b.setdefault(thread, []).append((ts, e.get("name")))
        elif ph == "E":
            stack = open_b.get(thread, [])
            if not stack:
                bad(i, f"E without an open B on thread {thread}")
            else:
                begin, _ = stack.pop()
                if ts < begin:
                    bad(i, "E before its B")
        elif ph in ("i", "I"):
            if "s" in e and e["s"] not in ("g", "p", "t"):
                bad(i, f"instant scope {e['s']!r} is not g, p or t")
        elif ph == "C":
            args = e.get("args")
            if not isinstance(args, dict) or not args:
                bad(i, "counter without args")
            elif not all(number(v) for v in args.values()):
                bad(i, "counter args must all be numbers")
        elif ph not in ("b", "e", "n", "s", "t", "f", "P", "O", "N", "D", "R", "c", "(", ")"):
            bad(i, f"unknown phase {ph!r}")
    for thread, stack in open_b.items():
        if stack:
            problems.append(f"thread {thread}: {len(stack)} B events never ended")
    return problems


def main():
    args = [a for a in sys.argv[1:] if a != "--summary"]
    if len(args) != 1:
        print("usage: validate-perfetto.py [--summary] FILE.json", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        try:
            doc = json.load(f)
        except ValueError as error:
            print(f"{args[0]}: not JSON: {error}")
            return 1
    problems = validate(doc)
    for p in problems[:50]:
        print(p)
    if "--summary" in sys.argv and isinstance(doc, dict):
        counts = {}
        for e in doc.get("traceEvents", []):
            if isinstance(e, dict):
                counts[e.get("ph")] = counts.get(e.get("ph"), 0) + 1
        print(json.dumps(counts, sort_keys=True))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
