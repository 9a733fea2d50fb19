#!/usr/bin/env python3
"""Makes a small trace.dat seed for the Fuzz/ target `tracedat` from a version-6 trace.dat.

usage: fuzz-tracedat-seed.py IN.dat OUT.dat PAGES

Real files are over 1 MB, mostly the kallsyms copy; libFuzzer mutates small inputs far faster.
This keeps every section libtracecmd reads, cuts kallsyms to less than a page (by a multiple of
the page size, so the CPU data stays page-aligned) and each CPU's ring data to its first PAGES
pages, and fixes the file offsets that point past the cut (flyrecord table, BUFFER options).
`trace-cmd report` reads the result (same events, up to the cut; addresses print unsymbolized).
"""
import struct
import sys

src, dst, pages = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = open(src, "rb").read()
assert d[:10] == b"\x17\x08Dtracing", "not a trace.dat"
p = 10
version = d[p:d.index(b"\0", p)]
assert version == b"6", "version 6 files only (v7 sections are compressed)"
p += len(version) + 1 + 1 + 1 + 4  # version, endian, long size, page size


def skip_named(p, name):
    assert d[p:p + len(name)] == name, (p, d[p:p + 20])
    p += len(name)
    return p + 8 + struct.unpack_from("<Q", d, p)[0]


p = skip_named(p, b"header_page\0")
p = skip_named(p, b"header_event\0")
count = struct.unpack_from("<I", d, p)[0]
p += 4
for _ in range(count):  # ftrace formats
    p += 8 + struct.unpack_from("<Q", d, p)[0]
systems = struct.unpack_from("<I", d, p)[0]
p += 4
for _ in range(systems):  # event formats per system
    p = d.index(b"\0", p) + 1
    count = struct.unpack_from("<I", d, p)[0]
    p += 4
    for _ in range(count):
        p += 8 + struct.unpack_from("<Q", d, p)[0]
kallsyms_at, length = p, struct.unpack_from("<I", d, p)[0]
delta = (length // 4096) * 4096
kept = d[kallsyms_at + 4:kallsyms_at + 4 + length - delta]
last = kept.rfind(b"\n")
kept = kept[:last + 1] + b" " * (len(kept) - last - 1)
out = bytearray(d[:kallsyms_at] + struct.pack("<I", length - delta) + kept + d[kallsyms_at + 4 + length:])

p = kallsyms_at + 4 + length - delta
p += 4 + struct.unpack_from("<I", out, p)[0]  # printk formats
p += 8 + struct.unpack_from("<Q", out, p)[0]  # saved command lines
cpus = struct.unpack_from("<I", out, p)[0]
p = out.index(b"options  \0", p) + 10
while True:
    option, size = struct.unpack_from("<HI", out, p)
    if option == 0:
        p += 2
        break
    if option == 3:  # BUFFER: u64 offset of the instance's flyrecord, then its name
        struct.pack_into("<Q", out, p + 6, struct.unpack_from("<Q", out, p + 6)[0] - delta)
    p += 6 + size
assert out[p:p + 10] == b"flyrecord\0", out[p:p + 12]
table = p + 10
entries = [struct.unpack_from("<QQ", out, table + 16 * i) for i in range(cpus)]
entries = [(offset - delta, size) for offset, size in entries]
first = min(offset for offset, _ in entries)
head, data, position = bytearray(out[:first]), bytearray(), first
for i, (offset, size) in enumerate(entries):
    size = min(size, 4096 * pages)
    struct.pack_into("<QQ", head, table + 16 * i, position, size)
    chunk = out[offset:offset + size]
    chunk += b"\0" * (-len(chunk) % 4096)
    data += chunk
    position += len(chunk)
open(dst, "wb").write(head + data)
