#!/usr/bin/env bash
# Builds the Debian package, installs it with dpkg -i, runs what it installed (the binary on a
# real leaking capture, the man page, the bash completion), checks it with lintian, and removes
# it with dpkg -r. Installs man-db, lintian and dpkg-dev (dpkg-shlibdeps) when missing. Needs
# root (or sudo). Called by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }

missing=()
for p in man-db lintian dpkg-dev; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
    echo "package-test: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

deb=$(./scripts/package.sh | tail -1)
[ -f "$deb" ] || fail "scripts/package.sh made no package"
version=$(dpkg-deb -f "$deb" Version)
echo "package-test: $deb ($(du -k "$deb" | cut -f1) KiB)"

# Errors and warnings fail the test; info and pedantic tags are printed only.
tags=$(lintian --pedantic "$deb" 2>/dev/null || true)
[ -z "$tags" ] || echo "$tags"
if echo "$tags" | grep -qE '^[EW]:'; then fail "lintian reports errors or warnings"; fi
echo "package-test: lintian: ${tags:-no tags}"


removed=0
cleanup() { [ "$removed" = 1 ] || $SUDO dpkg -r dio-trace >/dev/null 2>&1 || true; }
trap cleanup EXIT
# Minimal Debian images exclude /usr/share/man in /etc/dpkg/dpkg.cfg.d/excludes; a
# --path-include on the command line comes after the configuration and keeps ours.
$SUDO dpkg --path-include='/usr/share/man/man1/dio-trace.1.gz' -i "$deb" >/dev/null

[ "$(command -v dio-trace)" = /usr/bin/dio-trace ] || fail "dio-trace is not /usr/bin/dio-trace on PATH"
[ "$(/usr/bin/dio-trace --version)" = "$version" ] || fail "--version is not the package version $version"
if ldd /usr/bin/dio-trace | grep -E 'not found|libswift|libFoundation'; then
    fail "the installed binary needs a library the package does not depend on, or a shared Swift runtime"
fi

# A real leak: the M3 mutant (efault-skip-release), ftrace pass. Every inode the kernel's
# oracle says it leaked from must be named by an error finding; exit status 1 (findings).
capture=Fixtures/mutants/efault-skip-release/ftrace.txt.gz
status=0
/usr/bin/dio-trace analyze "$capture" > "$(pwd)/.build/package/analyze.txt" || status=$?
[ "$status" = 1 ] || fail "analyze $capture exited $status, expected 1 (error findings)"
for ino in $(sed -n 's/^ftrace: .*MUTANT M3 leak ino=\([0-9]*\) .*/\1/p' Fixtures/mutants/efault-skip-release/oracle.txt | sort -u); do
    grep -qE "^error: DIO[0-9]+ .*inode $ino[],]" .build/package/analyze.txt \
        || fail "no error finding on oracle inode $ino"
done
grep -q 'Reserved by dio_efault-' .build/package/analyze.txt || fail "the findings do not name the writing task"
echo "package-test: installed analyze names every oracle inode ($(grep -c '^error:' .build/package/analyze.txt) error findings)"

[ "$(man -w dio-trace)" = /usr/share/man/man1/dio-trace.1.gz ] || fail "man -w dio-trace: $(man -w dio-trace 2>&1)"
page=$(MANWIDTH=100 man -P cat dio-trace 2>.build/package/man.err)
echo "$page" | grep -q 'Replay btrfs space accounting' || fail "man dio-trace does not show the tool's abstract"
echo "$page" | grep -q -- '--fail-on' || fail "man dio-trace does not document analyze's options"
[ ! -s .build/package/man.err ] || fail "man dio-trace prints warnings: $(head -3 .build/package/man.err)"

completion=/usr/share/bash-completion/completions/dio-trace
bash -c "source $completion && complete -p dio-trace" >/dev/null || fail "the bash completion does not register dio-trace"
[ -s /usr/share/zsh/vendor-completions/_dio-trace ] || fail "no zsh completion"
[ -s /usr/share/fish/vendor_completions.d/dio-trace.fish ] || fail "no fish completion"

$SUDO dpkg -r dio-trace >/dev/null
removed=1
[ ! -e /usr/bin/dio-trace ] && [ ! -e /usr/share/man/man1/dio-trace.1.gz ] || fail "dpkg -r left files behind"
echo "package-test: ok (installed, ran, man page, completions, removed)"
