#!/usr/bin/env bash
# Makes the seed corpora of the Fuzz/ targets from Fixtures/ (and ../shared/corpora when present):
# small slices of real traces, kernel logs, expect.txt files, ELF files compiled from
# Fixtures/elf, kallsyms slices, trace.dat files. Writes Fuzz/seeds/<target>/ (not committed;
# rerun any time, the output is deterministic). The dictionaries live in Fuzz/dict/.
set -eu  # no pipefail: `head` closes pipes early on purpose
cd "$(dirname "$0")/.."
out=Fuzz/seeds
rm -rf "$out"
mkdir -p "$out"/{text,chunking,gzip,kernel-log,expect,tracedat,elf,kallsyms}
shared=../shared/corpora/wild-kernel-inputs

# cat_any FILE: the file's bytes, inflated when it is gzip.
cat_any() { case "$1" in *.gz) gzip -dc "$1" ;; *) cat "$1" ;; esac; }

# slice FILE SKIP BYTES: BYTES bytes from line SKIP on, cut back to the last whole line.
slice() {
    cat_any "$1" | tail -n +"$2" | head -c "$3" | sed '$d' || true
}

# seed TARGET NAME PREFIX_BYTE(octal, or "" for none): stdin becomes one seed file.
seed() {
    local file="$out/$1/$2"
    { [ -n "$3" ] && printf "\\$3"; cat; } > "$file"
    [ -s "$file" ] || rm -f "$file"
}

n=0
traces=$( { find Fixtures -type f \( -name '*ftrace*.txt*' -o -name 'trace.txt*' -o -name '*trace-cmd*.txt*' \
                 -o -name '*perf*.txt*' \) ; [ -d "$shared/traces" ] && find "$shared/traces" -type f ! -name '*.src'; } \
          | grep -v '/mutants/' | LC_ALL=C sort)
for t in $traces; do
    n=$((n + 1))
    lines=$(cat_any "$t" | wc -l)
    for start in 1 $((lines / 2 + 1)); do
        # text: selector byte 0 = auto-detect; the slice from the middle is also forced as each format.
        slice "$t" "$start" 3000 | seed text "$n-$start-auto" '000'
        [ "$start" -gt 1 ] && for f in 1 2 3; do slice "$t" "$start" 3000 | seed text "$n-$start-f$f" "00$f"; done
        # chunking: two selector bytes (block and chunk size).
        slice "$t" "$start" 3000 | seed chunking "$n-$start" '003'"\\005"
        # gzip: selector byte (input buffer size), then a gzip member.
        slice "$t" "$start" 3000 | gzip -9n | seed gzip "$n-$start" '017'
    done
done
# A gzip member with a trailing second member and one truncated member.
{ slice Fixtures/kernel-6.18-samples/ftrace-k6.18-tsc.txt 1 800 | gzip -9n; printf '# tracer: nop\n' | gzip -9n; } | seed gzip multi-member '001'
slice Fixtures/kernel-6.18-samples/ftrace-k6.18-tsc.txt 1 2000 | gzip -9n | head -c 300 | seed gzip truncated '100'

# kernel-log: dmesg fixtures, syzkaller reports, wild logs (first 6 KB of each).
logs=$( { find Fixtures/dmesg -type f -name '*.txt'; find Fixtures/syzkaller-linux-reports -type f | grep -v '\.md$' | head -400;
          [ -d "$shared/dmesg" ] && find "$shared/dmesg" -type f ! -name '*.src'; } | LC_ALL=C sort)
n=0
for l in $logs; do
    n=$((n + 1))
    slice "$l" 1 6000 | seed kernel-log "$n" ''
done

# expect: every expect.txt, and one with CRLF line ends.
n=0
for e in $(find Fixtures -name expect.txt | LC_ALL=C sort); do
    n=$((n + 1))
    seed expect "$n" '' < "$e"
done
sed 's/$/\r/' Fixtures/cases/k6.1-dio-basic/expect.txt | seed expect crlf ''

# tracedat: the v6 trace.dat cut small (kallsyms dropped, one or two pages of ring data per CPU;
# every header section kept), their uncompressed version-7 conversions, and the smallest
# version-7 (zstd) file whole.
v6=$(mktemp)
gzip -dc Fixtures/tracedat/k6.1-dio-efault.v6.dat.gz > "$v6"
for pages in 1 2; do
    python3 scripts/fuzz-tracedat-seed.py "$v6" "$out/tracedat/v6-$pages-pages.dat" "$pages"
    # The same as an uncompressed v7 (sections and options found by offset; no zstd in the way).
    if command -v trace-cmd >/dev/null; then
        trace-cmd convert -i "$out/tracedat/v6-$pages-pages.dat" -o "$out/tracedat/v7-none-$pages-pages.dat" \
            --compression none >/dev/null 2>&1 || rm -f "$out/tracedat/v7-none-$pages-pages.dat"
    fi
done
rm -f "$v6"
seed tracedat v7-whole.dat '' < "$(ls -S Fixtures/tracedat/*.dat | tail -1)"

# elf: the Fixtures/elf programs compiled with DWARF (as ElfSymbolizationTests does), offset byte first.
if command -v gcc >/dev/null; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    gcc -g -O2 -c Fixtures/elf/main.c -o "$tmp/main.o" 2>/dev/null && seed elf main.o '004' < "$tmp/main.o"
    gcc -g -O0 -c Fixtures/elf/module.c -o "$tmp/module.o" 2>/dev/null && seed elf module.o '010' < "$tmp/module.o"
    gcc -g -O2 -fno-inline Fixtures/elf/main.c Fixtures/elf/dup_a.c Fixtures/elf/dup_b.c -o "$tmp/prog" 2>/dev/null \
        && seed elf prog '020' < "$tmp/prog" || true
    gcc -g -O1 -c Fixtures/elf/dup_a.c -o "$tmp/dup_a.o" 2>/dev/null && seed elf dup_a.o '001' < "$tmp/dup_a.o"
fi

# kallsyms: slices of the trimmed kallsyms, alone and followed by a log to symbolize.
k=Fixtures/kallsyms/kallsyms-6.1-qemu-trimmed.txt
lines=$(wc -l < "$k")
for start in 1 $((lines / 3)) $((lines * 2 / 3)) $((lines - 60)); do
    slice "$k" "$start" 2500 | seed kallsyms "slice-$start" ''
done
{ grep -E ' (btrfs_|__btrfs_|iomap_|do_syscall_64|entry_SYSCALL)' "$k" | head -60; printf -- '--log--\n'; slice Fixtures/dmesg/dmesg-lab-warn.txt 1 3000; } \
    | seed kallsyms with-log ''

for d in "$out"/*; do echo "fuzz-seeds: $(basename "$d"): $(ls "$d" | wc -l) seeds, $(du -sk "$d" | cut -f1) KiB"; done
