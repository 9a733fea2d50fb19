#!/bin/bash
# capture-real-trace.sh: capture a real btrfs O_DIRECT space-accounting trace
# from the running kernel, for dio-trace fixtures and live tests.
#
#   capture-real-trace.sh OUTDIR [options]
#
# Makes a fresh btrfs on a 1 GiB loop file, enables the btrfs accounting and
# iomap DIO tracepoints in the top-level tracefs buffer, then runs
#   mount -> [quota enable] -> dio_workload -> sync -> umount
# inside the trace (so inode eviction by umount is recorded), and saves:
#   ftrace.txt             cat of /sys/kernel/tracing/trace (unmodified)
#   trace.dat              trace-cmd extract -o (unmodified)
#   trace-cmd-report.txt   trace-cmd report -i trace.dat (unmodified)
#   workload.log           the workload's output (one line per case, ret/errno)
#   ring-stats.txt         per_cpu/cpu*/stats after the run (overrun, dropped)
#   enabled-events.txt     set_event during the capture
#   skipped-events.txt     requested events this kernel does not have
#   dmesg-tail.txt         kernel log lines printed during the capture
#   capture-info.txt       kernel, tools, options, commands, timings
#
# Options:
#   --format ftrace|trace-cmd|both   which outputs to save (default: both)
#   --quota                          btrfs quota enable, workload in a subvolume
#                                    (same as DIO_CAPTURE_QUOTA=1)
#   --qgroup-limit SIZE              with --quota: btrfs qgroup limit SIZE on the subvolume
#   --events accounting|all          accounting set (default) or all btrfs:* + iomap:*
#   --cases LIST                     dio_workload -c LIST (default: all cases)
#   --scale N                        dio_workload -s N (default 1)
#   --buffer-kb N                    per-CPU ring buffer size in KiB (default 65536)
#   --workload PATH                  prebuilt dio_workload (default: compile with gcc)
#   --mount-options OPTS             mount -o OPTS (e.g. nodatasum, compress=zstd)
#   --allow-lost                     do not fail when events were lost
#
# Everything it changes in tracefs (tracing_on, current_tracer, trace_clock,
# buffer_size_kb, the options it sets, the set of enabled events, event
# filters and set_event_pid) is saved first and restored on EXIT/INT/TERM;
# the mount, the loop device and the temp dir are always removed. If tracefs
# was not mounted, it is mounted and unmounted again.
# Exit status: 0 ok, 1 usage/setup error, 3 events were lost (see --allow-lost).
# Needs root. Serialised with flock on /run/dio-capture.lock.

set -u -o pipefail

T=/sys/kernel/tracing
PROG=${0##*/}
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)

die() { echo "$PROG: error: $*" >&2; exit 1; }
note() { echo "$PROG: $*" >&2; }

# ---------------------------------------------------------------- arguments
OUTDIR=""
FORMAT=both
QUOTA=${DIO_CAPTURE_QUOTA:-0}
QGROUP_LIMIT=${DIO_CAPTURE_QGROUP_LIMIT:-}
EVENTS=accounting
CASES=""
SCALE=1
BUFFER_KB=65536
WORKLOAD=""
ALLOW_LOST=0
MOUNT_OPTIONS=${DIO_CAPTURE_MOUNT_OPTIONS:-}

need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --format) need_arg "$@"; FORMAT=$2; shift 2 ;;
    --format=*) FORMAT=${1#*=}; shift ;;
    --quota) QUOTA=1; shift ;;
    --qgroup-limit) need_arg "$@"; QGROUP_LIMIT=$2; shift 2 ;;
    --events) need_arg "$@"; EVENTS=$2; shift 2 ;;
    --cases) need_arg "$@"; CASES=$2; shift 2 ;;
    --scale) need_arg "$@"; SCALE=$2; shift 2 ;;
    --buffer-kb) need_arg "$@"; BUFFER_KB=$2; shift 2 ;;
    --workload) need_arg "$@"; WORKLOAD=$2; shift 2 ;;
    --allow-lost) ALLOW_LOST=1; shift ;;
    --mount-options) need_arg "$@"; MOUNT_OPTIONS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^# Needs root/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$OUTDIR" ] || die "more than one OUTDIR given"; OUTDIR=$1; shift ;;
  esac
done
[ -n "$OUTDIR" ] || die "usage: $PROG OUTDIR [--format ftrace|trace-cmd|both] [--quota] (see --help)"
case "$FORMAT" in ftrace|trace-cmd|both) ;; *) die "--format must be ftrace, trace-cmd or both" ;; esac
case "$EVENTS" in accounting|all) ;; *) die "--events must be accounting or all" ;; esac
case "$QUOTA" in 1|yes|true) QUOTA=1 ;; *) QUOTA=0 ;; esac
[[ "$SCALE" =~ ^[0-9]+$ ]] || die "--scale must be a number"
[[ "$BUFFER_KB" =~ ^[0-9]+$ ]] && [ "$BUFFER_KB" -ge 1024 ] || die "--buffer-kb must be a number >= 1024"

# ---------------------------------------------------------------- preflight
[ "$(id -u)" = 0 ] || die "must run as root (tracefs, losetup, mount)"
for t in mkfs.btrfs losetup mount umount flock; do
  command -v "$t" >/dev/null || die "$t not found (apt-get install -y btrfs-progs util-linux)"
done
if [ "$FORMAT" != ftrace ]; then
  command -v trace-cmd >/dev/null || die "trace-cmd not found (apt-get install -y trace-cmd) or use --format ftrace"
fi
if [ -z "$WORKLOAD" ]; then
  command -v gcc >/dev/null || die "gcc not found (needed to build scripts/workload/dio_workload.c; or pass --workload)"
  [ -f "$SCRIPT_DIR/workload/dio_workload.c" ] || die "missing $SCRIPT_DIR/workload/dio_workload.c"
else
  [ -x "$WORKLOAD" ] || die "--workload $WORKLOAD is not executable"
fi
grep -qw btrfs /proc/filesystems || die "kernel has no btrfs support (/proc/filesystems)"

mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

# one capture at a time on this machine (the ring buffer is global)
exec 9>/run/dio-capture.lock || die "cannot open /run/dio-capture.lock"
flock -w 900 9 || die "another capture holds /run/dio-capture.lock"
# idempotent: outputs of an earlier run into the same OUTDIR are replaced, never mixed
for f in ftrace.txt ftrace.txt.gz trace.dat trace-cmd-report.txt trace-cmd-report.txt.gz workload.log \
         ring-stats.txt enabled-events.txt skipped-events.txt dmesg-tail.txt qgroup-show.txt capture-info.txt; do
  rm -f "$OUTDIR/$f"
done

# ---------------------------------------------------------------- cleanup state
MOUNTED_TRACEFS=0
WORK=""
LOOPDEV=""
MNT=""
SAVED=0
SAVE_DIR=""
WPID=""

wr() { # wr FILE VALUE: write to a tracefs file, report failures
  local f=$1; shift
  if ! printf '%s\n' "$*" > "$f" 2>/dev/null; then
    note "warning: could not write '$*' to $f"
    return 1
  fi
}

restore_tracing() {
  [ "$SAVED" = 1 ] || return 0
  SAVED=0
  local S=$SAVE_DIR f
  wr $T/tracing_on 0
  # events: clear, then re-enable exactly the saved set
  printf '' > $T/set_event 2>/dev/null || note "warning: could not clear set_event"
  while IFS= read -r ev; do
    [ -n "$ev" ] && { printf '%s\n' "$ev" >> $T/set_event 2>/dev/null || note "warning: could not re-enable $ev"; }
  done < "$S/set_event"
  # filters we cleared
  if [ -s "$S/filters" ]; then
    while IFS=$'\t' read -r file filt; do
      printf '%s\n' "$filt" > "$file" 2>/dev/null || note "warning: could not restore filter $file"
    done < "$S/filters"
  fi
  # set_event_pid
  if [ -s "$S/set_event_pid" ]; then
    tr '\n' ' ' < "$S/set_event_pid" > $T/set_event_pid 2>/dev/null || note "warning: could not restore set_event_pid"
  fi
  # options
  if [ -s "$S/options" ]; then
    while read -r opt val; do
      wr "$T/options/$opt" "$val"
    done < "$S/options"
  fi
  wr $T/trace_clock "$(cat "$S/trace_clock")"
  [ "$(cat $T/current_tracer)" = "$(cat "$S/current_tracer")" ] || wr $T/current_tracer "$(cat "$S/current_tracer")"
  if [ -s "$S/per_cpu_buffer_kb" ]; then
    while read -r cpu kb; do wr "$T/per_cpu/$cpu/buffer_size_kb" "$kb"; done < "$S/per_cpu_buffer_kb"
  else
    wr $T/buffer_size_kb "$(cat "$S/buffer_size_kb")"
  fi
  wr $T/tracing_on "$(cat "$S/tracing_on")"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$WPID" ] && kill -0 "$WPID" 2>/dev/null; then
    note "stopping workload pid $WPID"
    kill -TERM "$WPID" 2>/dev/null; sleep 0.5; kill -KILL "$WPID" 2>/dev/null
    wait "$WPID" 2>/dev/null
  fi
  restore_tracing
  if [ -n "$MNT" ] && mountpoint -q "$MNT" 2>/dev/null; then
    umount "$MNT" 2>/dev/null || { sleep 1; umount "$MNT" 2>/dev/null; } || umount -l "$MNT" 2>/dev/null \
      || note "warning: could not unmount $MNT"
  fi
  if [ -n "$LOOPDEV" ]; then
    losetup -d "$LOOPDEV" 2>/dev/null || note "warning: could not detach $LOOPDEV"
  fi
  [ -n "$WORK" ] && rm -rf "$WORK"
  if [ "$MOUNTED_TRACEFS" = 1 ]; then
    umount $T 2>/dev/null || note "warning: could not unmount $T (mounted by this script)"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'note "interrupted"; exit 130' INT
trap 'note "terminated"; exit 143' TERM

# ---------------------------------------------------------------- tracefs
if ! mountpoint -q $T; then
  mount -t tracefs nodev $T || die "tracefs is not mounted and mounting it at $T failed"
  MOUNTED_TRACEFS=1
  note "mounted tracefs at $T (will unmount it again)"
fi
[ -w $T/set_event ] || die "$T/set_event not writable"
[ -d $T/events/btrfs ] || die "no btrfs tracepoints in $T/events (btrfs not loaded?)"

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/dio-capture.XXXXXX") || die "mktemp failed"
SAVE_DIR=$WORK/saved
mkdir -p "$SAVE_DIR" "$WORK/mnt"

# ---------------------------------------------------------------- build workload
if [ -z "$WORKLOAD" ]; then
  WORKLOAD=$WORK/dio_workload
  gcc -O2 -Wall -pthread -o "$WORKLOAD" "$SCRIPT_DIR/workload/dio_workload.c" 2> "$WORK/gcc.log" \
    || { cat "$WORK/gcc.log" >&2; die "compiling dio_workload.c failed"; }
fi

# ---------------------------------------------------------------- save state
# buffer_size_kb reads "7 (expanded: 1408)" before the buffer was first used;
# enabling any event expands it, so the expanded size is what we restore.
save_tracing() {
  local S=$SAVE_DIR bs
  cat $T/tracing_on > "$S/tracing_on"
  cat $T/current_tracer > "$S/current_tracer"
  sed -n 's/.*\[\(.*\)\].*/\1/p' $T/trace_clock > "$S/trace_clock"
  bs=$(cat $T/buffer_size_kb)
  case "$bs" in
    *expanded:*) bs=${bs##*expanded: }; bs=${bs%)} ;;
  esac
  if [ "$bs" = X ]; then
    : > "$S/per_cpu_buffer_kb"
    for d in $T/per_cpu/cpu*; do
      local v; v=$(cat "$d/buffer_size_kb"); v=${v##*expanded: }; v=${v%)}
      echo "${d##*/} $v" >> "$S/per_cpu_buffer_kb"
    done
  fi
  echo "$bs" > "$S/buffer_size_kb"
  cat $T/set_event > "$S/set_event"
  cat $T/set_event_pid > "$S/set_event_pid" 2>/dev/null || : > "$S/set_event_pid"
  : > "$S/options"
  : > "$S/filters"
  SAVED=1
}
save_tracing

# set an option, remembering its old value once
set_option() {
  local opt=$1 val=$2 old
  [ -f "$T/options/$opt" ] || return 0
  old=$(cat "$T/options/$opt")
  [ "$old" = "$val" ] && return 0
  grep -q "^$opt " "$SAVE_DIR/options" || echo "$opt $old" >> "$SAVE_DIR/options"
  wr "$T/options/$opt" "$val"
}

# ---------------------------------------------------------------- event list
ACCOUNTING_EVENTS=(
  btrfs:btrfs_space_reservation
  btrfs:btrfs_inode_mod_outstanding_extents
  'btrfs:btrfs_ordered_extent_*'
  btrfs:btrfs_ordered_sched
  btrfs:btrfs_finish_ordered_extent
  btrfs:btrfs_reserve_extent
  btrfs:btrfs_reserve_extent_cluster
  btrfs:btrfs_reserved_extent_alloc
  btrfs:btrfs_reserved_extent_free
  btrfs:update_bytes_may_use
  btrfs:update_bytes_pinned
  'btrfs:btrfs_qgroup_*'
  'btrfs:qgroup_*'
  btrfs:btrfs_inode_new
  btrfs:btrfs_inode_request
  btrfs:btrfs_inode_evict
  btrfs:btrfs_transaction_commit
  btrfs:btrfs_sync_file
  btrfs:btrfs_sync_fs
  btrfs:btrfs_trigger_flush
  btrfs:btrfs_flush_space
  btrfs:btrfs_reserve_ticket
  btrfs:btrfs_done_preemptive_reclaim
  btrfs:btrfs_fail_all_tickets
  btrfs:btrfs_writepage_end_io_hook
  btrfs:btrfs_work_sched
  btrfs:btrfs_all_work_done
  iomap:iomap_dio_rw_begin
  iomap:iomap_dio_complete
  iomap:iomap_dio_rw_queued
  iomap:iomap_dio_invalidate_fail
  iomap:iomap_iter
)
if [ "$EVENTS" = all ]; then
  REQUESTED=('btrfs:*' 'iomap:*')
else
  REQUESTED=("${ACCOUNTING_EVENTS[@]}")
fi

# expand sys:glob against events/<sys>/ ; print sys:name per match
expand_event() {
  local sys=${1%%:*} pat=${1#*:} d n found=0
  [ -d "$T/events/$sys" ] || return 1
  for d in "$T/events/$sys"/*/; do
    n=${d%/}; n=${n##*/}
    [ -f "$d/enable" ] || continue
    # shellcheck disable=SC2053
    [[ $n == $pat ]] && { echo "$sys:$n"; found=1; }
  done
  [ $found = 1 ]
}

# ---------------------------------------------------------------- configure
note "configuring tracefs (buffer ${BUFFER_KB} KiB/CPU)"
wr $T/tracing_on 0 || die "cannot stop tracing"
[ "$(cat $T/current_tracer)" = nop ] || wr $T/current_tracer nop || die "cannot set current_tracer=nop"
wr $T/trace_clock local || die "cannot set trace_clock=local"
set_option overwrite 1
set_option irq-info 1
set_option context-info 1
set_option latency-format 0
set_option record-cmd 1
set_option annotate 1
wr $T/buffer_size_kb "$BUFFER_KB" || die "cannot set buffer_size_kb=$BUFFER_KB"
printf '' > $T/set_event || die "cannot clear set_event"
if [ -s "$SAVE_DIR/set_event_pid" ]; then
  printf '' > $T/set_event_pid 2>/dev/null || note "warning: could not clear set_event_pid"
fi
: > "$WORK/enabled" ; : > "$WORK/skipped"
for req in "${REQUESTED[@]}"; do
  if ! evs=$(expand_event "$req"); then
    echo "$req" >> "$WORK/skipped"; continue
  fi
  for ev in $evs; do
    sys=${ev%%:*}; name=${ev#*:}
    ffile=$T/events/$sys/$name/filter
    if [ -f "$ffile" ] && [ "$(head -c 4 "$ffile")" != none ]; then
      printf '%s\t%s\n' "$ffile" "$(cat "$ffile")" >> "$SAVE_DIR/filters"
      printf '0\n' > "$ffile" 2>/dev/null || note "warning: could not clear filter $ffile"
    fi
    if printf '%s\n' "$ev" >> $T/set_event 2>/dev/null; then
      echo "$ev" >> "$WORK/enabled"
    else
      echo "$ev (enable failed)" >> "$WORK/skipped"
    fi
  done
done
[ -s "$WORK/enabled" ] || die "no events could be enabled"
note "enabled $(wc -l < "$WORK/enabled") events; skipped: $(tr '\n' ' ' < "$WORK/skipped")"
cp "$WORK/enabled" "$OUTDIR/enabled-events.txt"
cp "$WORK/skipped" "$OUTDIR/skipped-events.txt"

# ---------------------------------------------------------------- filesystem
note "creating 1 GiB btrfs image in $WORK"
truncate -s 1G "$WORK/btrfs.img" || die "truncate failed"
mkfs.btrfs -q -f "$WORK/btrfs.img" > "$WORK/mkfs.log" 2>&1 || { cat "$WORK/mkfs.log" >&2; die "mkfs.btrfs failed"; }
LOOPDEV=$(losetup -f --show "$WORK/btrfs.img") || die "losetup failed"
MNT=$WORK/mnt

DMESG_BEFORE=$(dmesg 2>/dev/null | wc -l)
printf '' > $T/trace                 # clear the buffer
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
T0=$(date +%s.%N)
wr $T/tracing_on 1 || die "cannot start tracing"
wr $T/trace_marker "dio-capture: mount $LOOPDEV" || true
mount -t btrfs ${MOUNT_OPTIONS:+-o "$MOUNT_OPTIONS"} "$LOOPDEV" "$MNT" || die "mount $LOOPDEV failed"
WDIR=$MNT
if [ "$QUOTA" = 1 ]; then
  btrfs quota enable "$MNT" || die "btrfs quota enable failed"
  btrfs subvolume create "$MNT/sub" >/dev/null || die "btrfs subvolume create failed"
  if [ -n "$QGROUP_LIMIT" ]; then
    btrfs qgroup limit "$QGROUP_LIMIT" "$MNT/sub" || die "btrfs qgroup limit failed"
  fi
  WDIR=$MNT/sub
fi
wr $T/trace_marker "dio-capture: workload start" || true
WARGS=(-s "$SCALE")
[ -n "$CASES" ] && WARGS+=(-c "$CASES")
# in the background, so INT/TERM run the cleanup trap at once (bash delays traps while a
# foreground child runs); cleanup kills it if it is still there
"$WORKLOAD" "${WARGS[@]}" "$WDIR" > "$OUTDIR/workload.log" 2>&1 &
WPID=$!
wait "$WPID"
WRC=$?
WPID=""
wr $T/trace_marker "dio-capture: workload exit $WRC, sync" || true
sync
if [ "$QUOTA" = 1 ]; then
  btrfs qgroup show -pcre "$MNT" > "$WORK/qgroup-show.txt" 2>&1 || true
fi
wr $T/trace_marker "dio-capture: umount" || true
umount "$MNT" || die "umount $MNT failed"
wr $T/trace_marker "dio-capture: umount done" || true
wr $T/tracing_on 0
T1=$(date +%s.%N)
losetup -d "$LOOPDEV" && LOOPDEV=""
[ "$WRC" = 0 ] || note "warning: workload exited with status $WRC (see workload.log)"

# ---------------------------------------------------------------- save outputs
for d in $T/per_cpu/cpu*; do
  echo "== ${d##*/}"; cat "$d/stats"
done > "$OUTDIR/ring-stats.txt"
dmesg 2>/dev/null | tail -n +"$((DMESG_BEFORE + 1))" > "$OUTDIR/dmesg-tail.txt"
[ -f "$WORK/qgroup-show.txt" ] && cp "$WORK/qgroup-show.txt" "$OUTDIR/qgroup-show.txt"
if [ "$FORMAT" != trace-cmd ]; then
  cat $T/trace > "$OUTDIR/ftrace.txt" || die "reading $T/trace failed"
fi
if [ "$FORMAT" != ftrace ]; then
  # extract consumes the ring buffer, so it runs after the ftrace text was saved
  if trace-cmd extract -o "$OUTDIR/trace.dat" > "$WORK/extract.log" 2>&1; then
    trace-cmd report -i "$OUTDIR/trace.dat" > "$OUTDIR/trace-cmd-report.txt" 2> "$WORK/report.err" \
      || { cat "$WORK/report.err" >&2; die "trace-cmd report failed"; }
  else
    cat "$WORK/extract.log" >&2; die "trace-cmd extract failed"
  fi
fi

# ---------------------------------------------------------------- checks + info
LOST=0
OVERRUN=$(awk '/^overrun:/ {s += $2} END {print s + 0}' "$OUTDIR/ring-stats.txt")
DROPPED=$(awk '/^dropped events:/ {s += $3} END {print s + 0}' "$OUTDIR/ring-stats.txt")
[ "$OVERRUN" = 0 ] && [ "$DROPPED" = 0 ] || LOST=1
for f in "$OUTDIR/ftrace.txt" "$OUTDIR/trace-cmd-report.txt"; do
  [ -f "$f" ] && grep -q 'LOST.*EVENTS' "$f" && LOST=1
done
if [ -f "$OUTDIR/ftrace.txt" ]; then
  read -r IN WRITTEN < <(sed -n 's/^# entries-in-buffer\/entries-written: \([0-9]*\)\/\([0-9]*\).*/\1 \2/p' "$OUTDIR/ftrace.txt")
  [ "${IN:-0}" = "${WRITTEN:-0}" ] || LOST=1
fi
EVICT_UMOUNT=0
for f in "$OUTDIR/ftrace.txt" "$OUTDIR/trace-cmd-report.txt"; do
  [ -f "$f" ] && grep -q 'umount-[0-9].*btrfs_inode_evict' "$f" && EVICT_UMOUNT=1
done

{
  echo "script: scripts/capture-real-trace.sh"
  echo "command: $PROG $OUTDIR --format $FORMAT --events $EVENTS --scale $SCALE --buffer-kb $BUFFER_KB${CASES:+ --cases $CASES}$( [ "$QUOTA" = 1 ] && echo " --quota")${QGROUP_LIMIT:+ --qgroup-limit $QGROUP_LIMIT}${MOUNT_OPTIONS:+ --mount-options $MOUNT_OPTIONS}"
  echo "start: $START"
  echo "duration_s: $(awk -v a="$T0" -v b="$T1" 'BEGIN {printf "%.2f", b - a}')"
  echo "kernel: $(uname -r)"
  echo "uname: $(uname -a)"
  echo "btrfs-progs: $(mkfs.btrfs --version 2>&1 | head -1)"
  command -v trace-cmd >/dev/null && echo "trace-cmd: $(trace-cmd --version 2>&1 | grep -m1 version)"
  echo "gcc: $(gcc --version 2>/dev/null | head -1)"
  echo "cpus: $(nproc)"
  echo "trace_clock: local"
  echo "buffer_size_kb: $BUFFER_KB per CPU"
  echo "quota: $QUOTA${QGROUP_LIMIT:+ (limit $QGROUP_LIMIT on subvolume sub)}"
  echo "workload: dio_workload ${WARGS[*]} $( [ "$QUOTA" = 1 ] && echo '<mnt>/sub' || echo '<mnt>')"
  echo "workload_exit: $WRC"
  echo "entries_in_buffer: ${IN:-n/a}"
  echo "entries_written: ${WRITTEN:-n/a}"
  echo "overrun: $OVERRUN"
  echo "dropped: $DROPPED"
  echo "lost_events: $LOST"
  echo "evict_by_umount_in_trace: $EVICT_UMOUNT"
} > "$OUTDIR/capture-info.txt"

note "capture in $OUTDIR: $(ls "$OUTDIR" | tr '\n' ' ')"
[ "$EVICT_UMOUNT" = 1 ] || note "warning: no btrfs_inode_evict by umount found in the trace"
if [ "$LOST" = 1 ]; then
  note "events were LOST (overrun=$OVERRUN dropped=$DROPPED entries=${IN:-?}/${WRITTEN:-?}); raise --buffer-kb or lower --scale"
  [ "$ALLOW_LOST" = 1 ] || exit 3
fi
exit 0
