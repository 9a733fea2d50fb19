#!/usr/bin/env bash
# Installs dependencies, builds, runs the whole test suite, every fixture case, the browser, tty,
# TSan and .deb tests, then every fuzz target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/fetch-kernel-debug.sh
swift build --build-tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test --skip-build 2>&1 | tee "$log"
.build/debug/dio-trace check Fixtures/
# The HTML report in a real browser (headless Chromium, Selenium) on a real leaking capture.
python3 Tests/browser/test_html_report.py .build/debug/dio-trace "$(mktemp -d)/html-report.png"
# What a terminal user sees: progress line, colour, NO_COLOR, pipes (through a real pty).
python3 scripts/terminal-test.py .build/debug/dio-trace
# The threaded paths (parallel replay, read-ahead, parallel cases) under ThreadSanitizer.
./scripts/tsan.sh
# The Debian package: build, dpkg -i, run the installed binary and man page, dpkg -r.
./scripts/package-test.sh
# Every libFuzzer target of Fuzz/ briefly (FUZZ_SECONDS each, default 60): a build failure, a
# crash (its input is printed), a hang, a leak or a broken property fails the run.
./scripts/fuzz.sh all "${FUZZ_SECONDS:-60}"
# One closing line for CI: XCTest cases plus fixture cases.
tests=$(grep -E 'Executed [0-9]+ tests?, with' "$log" | tail -1 | sed -E 's/.*Executed ([0-9]+) tests?, with ([0-9]+) failures?.*/\1 \2/')
cases=$(find Fixtures -name expect.txt | wc -l)
set -- $tests
echo "tests: $(( $1 - $2 + cases )) passed, $2 failed"
