#!/usr/bin/env bash
# Installs dependencies, builds, runs the whole test suite, then every fixture case.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build --build-tests
swift test --skip-build
.build/debug/dio-trace check Fixtures/
