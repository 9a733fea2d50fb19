#!/usr/bin/env bash
# Builds dio-trace (release) and analyzes a bundled real trace: Debian 6.1, O_DIRECT writes from
# partly unmapped buffers (EFAULT inside the DIO path), ftrace text, gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build -c release
.build/release/dio-trace analyze Fixtures/kernel-6.1-qemu/dio-efault/ftrace.txt.gz "$@"
