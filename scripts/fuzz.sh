#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (release, so Swift's overflow and bounds traps stay on,
# with AddressSanitizer) and runs one of them, or all, for SECONDS each:
#   scripts/fuzz.sh TARGET SECONDS      # TARGET: text chunking gzip kernel-log expect tracedat elf kallsyms
#   scripts/fuzz.sh all SECONDS         # every target in turn (what CI runs)
# Seeds come from scripts/fuzz-seeds.sh, dictionaries from Fuzz/dict/; new inputs accumulate in
# Fuzz/corpus/TARGET, crashes in Fuzz/artifacts/TARGET/. Prints libFuzzer's executions, cov, ft
# and corpus size per target. Exit 1 when a target crashed (the input is printed), hung, leaked
# or broke a checked property; exit 2 when the build fails.
# FUZZ_NO_BUILD=1 skips the build; FUZZ_JOBS=N (default 1) runs N workers per target; FUZZ_TIMEOUT=S
# (default 25) is the per-input time limit (raise it on a loaded machine: a niced worker may get a
# few percent of a core).
set -euo pipefail
# Swift's crash backtracer would wait on a crashed target; libFuzzer and ASan report crashes.
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(cd "$(dirname "$0")/.." && pwd)/Fuzz/lsan.supp}
cd "$(dirname "$0")/.."
targets=(text chunking gzip kernel-log expect tracedat elf kallsyms)
[ $# -eq 2 ] || { echo "usage: scripts/fuzz.sh TARGET|all SECONDS (targets: ${targets[*]})" >&2; exit 2; }
which=$1
seconds=$2
if [ "$which" = all ]; then run=("${targets[@]}"); else run=("$which"); fi
for t in "${run[@]}"; do
    [[ " ${targets[*]} " == *" $t "* ]] || { echo "fuzz: unknown target '$t' (targets: ${targets[*]})" >&2; exit 2; }
done

bin=${FUZZ_BIN:-Fuzz/.build/release}
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    echo "fuzz: building Fuzz/ (release, -sanitize=fuzzer,address)"
    build_log=$(mktemp)
    if ! (cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library) >"$build_log" 2>&1; then
        grep -E 'error|Compiling|Linking' "$build_log" | tail -40 >&2
        rm -f "$build_log"
        echo "fuzz: build failed" >&2
        exit 2
    fi
    rm -f "$build_log"
fi
[ -d Fuzz/seeds ] || ./scripts/fuzz-seeds.sh

dictionary() {
    case "$1" in
        text|chunking|gzip) echo trace ;; kernel-log|kallsyms) echo log ;; *) echo "$1" ;;
    esac
}
max_len() {
    case "$1" in
        expect) echo 4096 ;; kallsyms) echo 8192 ;; elf) echo 65536 ;; tracedat) echo 1200000 ;; *) echo 16384 ;;
    esac
}

status=0
summary=()
for t in "${run[@]}"; do
    corpus=Fuzz/corpus/$t
    artifacts=Fuzz/artifacts/$t
    mkdir -p "$corpus" "$artifacts"
    log=$(mktemp)
    options=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" -max_len="$(max_len "$t")"
             -dict="Fuzz/dict/$(dictionary "$t").dict" -timeout="${FUZZ_TIMEOUT:-25}" -rss_limit_mb=2560)
    asan=symbolize=1
    if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then
        options+=(-fork="${FUZZ_JOBS}")
    fi
    echo "fuzz: $t for ${seconds}s"
    start=$(date +%s)
    rc=0
    ASAN_OPTIONS=${ASAN_OPTIONS:-$asan} "$bin/fuzz-$t" "${options[@]}" "$corpus" "Fuzz/seeds/$t" >"$log" 2>&1 || rc=$?
    elapsed=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o "[0-9]*$" | tail -1 || true)
    # Fork mode prints no final stats: take the last status line's counter.
    [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d "#" || true)
    last=$(grep -E '^#[0-9]+:?[[:space:]].*cov: ' "$log" | tail -1 || true)
    cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
    ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
    corp=$(find "$corpus" -type f | wc -l)
    rate=$(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) ))
    crashes=$(ls "$artifacts" | grep -c -E '^(crash|timeout|leak|oom|slow-unit)-' || true)
    line="$t: ${execs:-?} executions in ${elapsed}s (${rate}/s), cov ${cov:-?}, ft ${ft:-?}, corpus $corp, artifacts $crashes"
    echo "fuzz: $line"
    grep -E '^stat::' "$log" | sed 's/^/fuzz:   /' || true
    if [ "$rc" -ne 0 ]; then
        echo "fuzz: FAILED: $t (exit $rc)" >&2
        sed -n '/==ERROR\|Fatal error\|ERROR: libFuzzer\|fuzz property violated/,/^SUMMARY\|Test unit written/p' "$log" | head -80 >&2 || true
        for a in $(grep -oE "Test unit written to [^ ]+" "$log" | awk '{print $5}'); do
            echo "fuzz: crashing input $a ($(wc -c <"$a") bytes):" >&2
            od -A x -t x1z -v "$a" | head -64 >&2 || true
        done
        status=1
    fi
    summary+=("$line")
    rm -f "$log"
done
printf 'fuzz: summary: %s\n' "${summary[@]}"
exit $status
