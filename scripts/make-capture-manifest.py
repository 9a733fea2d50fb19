#!/usr/bin/env python3
"""Write MANIFEST.md for one capture directory made by capture-real-trace.sh.

usage: make-capture-manifest.py DIR "<one-paragraph description>" [--notes FILE]

Reads capture-info.txt, workload.log and ftrace.txt[.gz] (never modifies them) and writes
DIR/MANIFEST.md: what was run, kernel, date, per-event counts, workload results, checksums.
"""
import collections
import gzip
import hashlib
import os
import re
import sys

LINE = re.compile(r'^\s*(.+?)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(\d+)\]\s+(?:\S+\s+)?([\d.]+):\s+(\w+):')


def open_text(path):
    return gzip.open(path, 'rt') if path.endswith('.gz') else open(path)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    d, description = sys.argv[1], sys.argv[2]
    notes = ''
    if len(sys.argv) == 5 and sys.argv[3] == '--notes':
        notes = open(sys.argv[4]).read().strip()
    info = dict(line.split(': ', 1) for line in open(os.path.join(d, 'capture-info.txt')).read().splitlines()
                if ': ' in line)
    ftrace = next((os.path.join(d, f) for f in ('ftrace.txt', 'ftrace.txt.gz') if os.path.exists(os.path.join(d, f))), None)
    counts = collections.Counter()
    lost = 0
    evict_umount = 0
    if ftrace:
        with open_text(ftrace) as fh:
            for line in fh:
                if line.startswith('#'):
                    continue
                if 'LOST' in line and 'EVENTS' in line:
                    lost += 1
                m = LINE.match(line)
                if m:
                    counts[m.group(5)] += 1
                    if m.group(5) == 'btrfs_inode_evict' and m.group(1).strip() == 'umount':
                        evict_umount += 1
    results = collections.OrderedDict()
    for line in open(os.path.join(d, 'workload.log')):
        m = re.match(r'case=(\S+) file=(\S+) ino=(\d+) op=(\S+) off=(-?\d+) len=(\d+) ret=(-?\d+) errno=(\S+)', line)
        if not m:
            continue
        case, f, ino, op, off, ln, ret, err = m.groups()
        key = (case, f, ino, op)
        results.setdefault(key, collections.Counter())[(ret, err)] += 1

    out = []
    out.append(f'# Capture `{os.path.basename(os.path.abspath(d))}`\n')
    out.append(description.strip() + '\n')
    out.append('All files except this MANIFEST.md are **unmodified tool output** written by '
               '`scripts/capture-real-trace.sh`; text files larger than 500 KB were then compressed '
               'with `gzip -9n` (lossless; `zcat` gives the original bytes).\n')
    out.append('## What was run\n')
    out.append('```')
    parts = info.get('command', '?').split(' ')
    if len(parts) >= 2:
        parts[0] = 'scripts/capture-real-trace.sh'
        parts[1] = 'Fixtures/captures/' + os.path.basename(os.path.abspath(d))
    out.append('# as root, from the package root')
    out.append(' '.join(parts))
    out.append("find Fixtures/captures/%s \\( -name ftrace.txt -o -name trace-cmd-report.txt \\) -size +500k -exec gzip -9n {} \\;"
               % os.path.basename(os.path.abspath(d)))
    out.append('```\n')
    out.append('| | |\n|---|---|')
    for k in ('start', 'kernel', 'uname', 'cpus', 'btrfs-progs', 'trace-cmd', 'gcc', 'trace_clock', 'buffer_size_kb',
              'quota', 'workload', 'workload_exit', 'duration_s', 'entries_in_buffer', 'entries_written', 'overrun',
              'dropped', 'lost_events', 'evict_by_umount_in_trace'):
        if k in info:
            out.append(f'| {k} | `{info[k]}` |')
    out.append('')
    out.append('Sequence inside the trace (`tracing_on=1` … `0`): `mount` → '
               + ('`btrfs quota enable` → `btrfs subvolume create sub` → ' if info.get('quota', '0') != '0' else '')
               + '`dio_workload` → `sync` → `umount`; `trace_marker` lines (`tracing_mark_write: dio-capture: …`) '
               'mark each step. `mkfs.btrfs` and `losetup` ran before tracing started.\n')
    out.append('## Files\n')
    out.append('| file | bytes | sha256 |\n|---|---|---|')
    for f in sorted(os.listdir(d)):
        if f == 'MANIFEST.md':
            continue
        p = os.path.join(d, f)
        out.append(f'| `{f}` | {os.path.getsize(p)} | `{hashlib.sha256(open(p, "rb").read()).hexdigest()[:16]}…` |')
    out.append('')
    out.append('`ftrace.txt` = `cat /sys/kernel/tracing/trace`; `trace.dat` = `trace-cmd extract -o trace.dat` (run after '
               'the `cat`, it consumes the buffer; trace-cmd 3.1.6 writes file version 7 with zstd); '
               '`trace-cmd-report.txt` = `trace-cmd report -i trace.dat` (prints `flags=0x…` numbers for ordered '
               'extents); `ring-stats.txt` = `per_cpu/cpu*/stats`; `enabled-events.txt` / `skipped-events.txt` = '
               'events enabled / requested but absent; `dmesg-tail.txt` = kernel log lines printed during the capture; '
               '`workload.log` = the workload\'s stdout+stderr.\n')
    out.append(f'## Events in `ftrace.txt` ({sum(counts.values())} lines, {lost} `LOST EVENTS` lines, '
               f'{evict_umount} `btrfs_inode_evict` by `umount`)\n')
    out.append('| count | event |\n|---:|---|')
    for name, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
        out.append(f'| {n} | `{name}` |')
    out.append('')
    out.append('## Workload results (`workload.log`)\n')
    out.append('| case | file | ino | op | results (ret errno × count) |\n|---|---|---:|---|---|')
    for (case, f, ino, op), c in results.items():
        res = ', '.join(f'{r} {e}' + (f' ×{n}' if n > 1 else '') for (r, e), n in c.items())
        out.append(f'| {case} | {f} | {ino} | {op} | {res} |')
    out.append('')
    if notes:
        out.append('## Observations\n')
        out.append(notes + '\n')
    with open(os.path.join(d, 'MANIFEST.md'), 'w') as fh:
        fh.write('\n'.join(out))


if __name__ == '__main__':
    main()
