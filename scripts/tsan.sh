#!/usr/bin/env bash
# Runs the tests that exercise threads (parallel block replay of mapped and streamed text, read-ahead, parallel fixture cases,
# record's readers beside its live merge)
# under ThreadSanitizer, in a build of its own (.build/tsan). Any data race fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
filter='PipelinedReplayTests|StreamedBlockReplayTests|TraceDatPipelineTests|InputRobustnessTests|CaseRunnerTests/testParallelRunKeepsCaseOrder|LiveCaptureThreadTests|PosixThreadTests'
swift build --build-tests --sanitize=thread --build-path .build/tsan
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    swift test --skip-build --sanitize=thread --build-path .build/tsan --filter "$filter"
