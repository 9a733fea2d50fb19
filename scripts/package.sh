#!/usr/bin/env bash
# Builds the Debian package .build/package/dio-trace_VERSION_amd64.deb: the release binary with
# the Swift runtime linked statically, depending only on the Debian libraries it links (found by
# dpkg-shlibdeps from the binary's NEEDED entries), a man page generated from the argument
# parser (swift-argument-parser's generate-manual plugin) and bash/zsh/fish completions.
# VERSION is DIOTraceVersion.current (Sources/dio-trace/Version.swift), read from the binary.
# Usage: scripts/package.sh [OUTPUT_DIR]   (prints the path of the .deb on its last line)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/package}
mkdir -p "$out"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root

# The man page comes from a debug build (the one the tests use; same parser, no second release
# build). The plugin may write only where it is allowed to.
mkdir -p "$stage/man"
# One date for the man page, the changelog and the archive's file times (dpkg-deb clamps them
# to SOURCE_DATE_EPOCH): the last commit's, so the same commit gives the same dates.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)
swift package --allow-writing-to-directory "$stage/man" generate-manual --configuration debug \
    --date "$date" --authors "dio-trace developers" --output-directory "$stage/man" >/dev/null

swift build -c release --static-swift-stdlib
bin=.build/release/dio-trace
version=$("$bin" --version)
if ldd "$bin" | grep -q libswift; then
    echo "package: $bin links a shared Swift runtime" >&2; exit 1
fi

install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d" "$root/usr/share/doc/dio-trace"
install -m 0755 "$bin" "$root/usr/bin/dio-trace"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/dio-trace"

# mdoc wants paragraph breaks as .Pp, not blank lines (the parser's discussions have some).
sed 's/^$/.Pp/' "$stage/man/dio-trace.1" | gzip -9n > "$root/usr/share/man/man1/dio-trace.1.gz"
# A completion is sourced, not run: no #! line (lintian bash-completion-with-hashbang).
"$bin" --generate-completion-script bash | sed '1{/^#!/d}' > "$root/usr/share/bash-completion/completions/dio-trace"
"$bin" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_dio-trace"
"$bin" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/dio-trace.fish"

cat > "$root/usr/share/doc/dio-trace/copyright" <<'EOF'
dio-trace: replays btrfs space accounting from kernel traces and decodes kernel reports.

Copyright 2026 the dio-trace developers.
The repository states no license. Fixtures/ (not part of this package) holds third-party
material with its own NOTICE and LICENSE files.
EOF
{
    printf 'dio-trace (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Release %s; the history is the git log of the repository.\n\n' "$version"
    printf ' -- dio-trace developers <dio-trace@users.noreply.github.com>  %s\n' \
        "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$root/usr/share/doc/dio-trace/changelog.gz"
find "$root/usr" -type f ! -path '*/usr/bin/*' -exec chmod 0644 {} +

# Depends: the packages of the shared libraries the binary links, with their minimum versions.
# libisal2 (ISA-L, fast gzip) is loaded with dlopen when present, so it is only recommended.
mkdir -p "$stage/debian"
printf 'Source: dio-trace\n\nPackage: dio-trace\nArchitecture: amd64\n' > "$stage/debian/control"
depends=$(cd "$stage" && dpkg-shlibdeps -O root/usr/bin/dio-trace 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
rm -rf "$stage/debian"

installed=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: dio-trace
Version: $version
Architecture: amd64
Maintainer: dio-trace developers <dio-trace@users.noreply.github.com>
Installed-Size: $installed
Depends: $depends
Recommends: libisal2
Section: devel
Priority: optional
Description: find btrfs space-accounting leaks in kernel traces
 dio-trace reads kernel traces of btrfs I/O (ftrace text, trace-cmd report,
 perf script, trace.dat; gzip too) and replays every space reservation,
 release, outstanding-extent change and ordered-extent step per inode and
 per I/O into a ledger. It reports each reservation that outlives its I/O,
 with the chain of events that proves it, and ties kernel WARN/BUG reports
 from dmesg to the inode whose ledger did not balance.
EOF
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

deb="$out/dio-trace_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "package: $(du -k "$deb" | cut -f1) KiB, installed $installed KiB, Depends: $depends"
echo "$deb"
