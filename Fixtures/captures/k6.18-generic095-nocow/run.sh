#!/bin/bash
# generic/095's fio job on a fresh btrfs, then umount (inside the recorded command).
set -e
truncate -s 2G /tmp/g095/img
mkfs.btrfs -q -f /tmp/g095/img
mkdir -p /tmp/g095/mnt
mount -o loop /tmp/g095/img /tmp/g095/mnt
touch /tmp/g095/mnt/file1 /tmp/g095/mnt/file2
[ "${NOCOW:-0}" = 1 ] && chattr +C /tmp/g095/mnt/file1 /tmp/g095/mnt/file2
[ "${QUOTA:-0}" = 1 ] && btrfs quota enable /tmp/g095/mnt
fio --output=/tmp/g095/fio.out /tmp/g095/job.fio >/dev/null 2>&1 || echo "fio rc=$?" >&2
sync
umount /tmp/g095/mnt
rm -f /tmp/g095/img
