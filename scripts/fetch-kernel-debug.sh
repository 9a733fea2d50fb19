#!/usr/bin/env bash
# Fetches the debug info of the Debian kernel the lab captures ran on (linux-image-6.1.0-50-amd64-dbg,
# 6.1.176-1): vmlinux and the modules that the fixture logs name, extracted into
# .build/kernel-debug-6.1.0-50-amd64 (usr/lib/debug/...). Tests that compare symbolization with
# eu-addr2line on real task dumps use it and skip without it. About 855 MB downloaded, ~600 MB kept.
set -euo pipefail
cd "$(dirname "$0")/.."
release=6.1.0-50-amd64
dest=".build/kernel-debug-$release"
if [ -f "$dest/usr/lib/debug/boot/vmlinux-$release" ]; then echo "kernel debug info: $dest (cached)"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && apt-get download -q "linux-image-$release-dbg=6.1.176-1" >/dev/null 2>&1); then
    echo "kernel debug info: linux-image-$release-dbg 6.1.176-1 is not downloadable here; its tests will skip" >&2
    exit 0
fi
mkdir -p "$dest"
modules="./usr/lib/debug/lib/modules/$release/kernel"
dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$dest" --wildcards \
    "./usr/lib/debug/boot/vmlinux-$release" "$modules/fs/*" "$modules/drivers/scsi/scsi_mod.ko" \
    "$modules/arch/x86/crypto/crc32c-intel.ko" "$modules/lib/*"
echo "kernel debug info: $dest"
