#!/usr/bin/env bash
# Installs what dio-trace needs on a Debian machine (run as root): the C libraries it links
# (elfutils, zlib, ISA-L, xz, zstd), the tools its tests drive (trace-cmd, btrfs-progs, eu-addr2line,
# addr2line, gcc, xmllint), the Python validators for its JUnit and SARIF output, and headless
# Chromium with chromedriver and Selenium for the HTML report's browser test.
set -euo pipefail
packages=(libdw-dev libelf-dev zlib1g-dev libisal-dev liblzma-dev libzstd-dev
          trace-cmd btrfs-progs elfutils binutils gcc libxml2-utils pkg-config python3-pip
          chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -c 'import junitparser, jsonschema, selenium' 2>/dev/null || python3 -m pip install -q junitparser jsonschema selenium
echo "setup: ok"
