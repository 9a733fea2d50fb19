#!/usr/bin/env python3
"""Read a JUnit XML file with `junitparser` (pip install junitparser) and print what it saw as JSON.

Usage: validate-junit.py JUNIT_XML
Prints {"suites": [{"name", "tests", "failures", "errors", "time", "cases": [{"name", "classname",
"time", "result", "message", "text"}]}]}; exits 1 if the file cannot be read as JUnit.
"""
import json
import sys

from junitparser import JUnitXml, TestSuite, Failure, Error, Skipped


def main():
    xml = JUnitXml.fromfile(sys.argv[1])
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    out = {"suites": []}
    for suite in suites:
        cases = []
        for case in suite:
            result, message, text = "passed", None, None
            for r in case.result:
                if isinstance(r, Failure):
                    result = "failure"
                elif isinstance(r, Error):
                    result = "error"
                elif isinstance(r, Skipped):
                    result = "skipped"
                message, text = r.message, r.text
            cases.append({"name": case.name, "classname": case.classname, "time": case.time,
                          "result": result, "message": message, "text": text})
        out["suites"].append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                              "errors": suite.errors, "time": suite.time, "cases": cases})
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
