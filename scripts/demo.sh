#!/usr/bin/env bash
# Builds dio-trace (release) and analyzes a bundled real capture of a leaking kernel: Debian's
# 6.1.176 under qemu with btrfs.ko patched to skip the release of a failing direct-I/O write's
# unsubmitted part (mutant M3, efault-skip-release, the class of Linux commit 50745b0a7f46),
# ftrace text (gzip) with the kernel log of the same run. Extra arguments go to analyze.
set -euo pipefail
cd "$(dirname "$0")/.."
# Setup and build talk on stderr: stdout is the report. The same build flags as
# scripts/package.sh, so the two share one release build.
./scripts/setup.sh >&2
swift build -c release --static-swift-stdlib >&2
bin=$(pwd)/.build/release/dio-trace
cd Fixtures/mutants/efault-skip-release
echo "\$ dio-trace analyze --dmesg dmesg-ftrace.txt ftrace.txt.gz   # in Fixtures/mutants/efault-skip-release" >&2
exec "$bin" analyze --dmesg dmesg-ftrace.txt ftrace.txt.gz "$@"
