#!/usr/bin/env bash
# Fetches Debian's stock x86_64 kernel once, for the VM tests' TCG guests, and prints the
# path of its vmlinuz. Idempotent: a second run only prints the cached path.
#
#   guest-kernel.sh [CACHE_DIR]        default: $BW_GUEST_KERNEL_CACHE or
#                                               /var/cache/bisect-workbench/guest-kernel
#
# Only Debian's package mirror is used (apt-get download of the versioned package that
# linux-image-amd64 depends on, unpacked with dpkg-deb). The cache holds:
#   vmlinuz            the kernel (SERIAL_8250_CONSOLE, DEVTMPFS, RD_GZIP built in)
#   modules/e1000.ko   the e1000 NIC module (no deps), for guests that need a network
#   version            the package name, e.g. linux-image-6.1.0-56-amd64
# Exit 1 with a message on stderr when the kernel cannot be fetched.
set -euo pipefail

CACHE=${1:-${BW_GUEST_KERNEL_CACHE:-/var/cache/bisect-workbench/guest-kernel}}
die() { echo "guest-kernel: $*" >&2; exit 1; }

if [ -s "$CACHE/vmlinuz" ] && [ -s "$CACHE/version" ]; then
  echo "$CACHE/vmlinuz"
  exit 0
fi

mkdir -p "$CACHE" || die "cannot create $CACHE"
# One fetcher at a time (several test runs may start together).
exec 9>"$CACHE/.lock"
flock -w 300 9 || die "timed out waiting for another fetch ($CACHE/.lock)"
if [ -s "$CACHE/vmlinuz" ] && [ -s "$CACHE/version" ]; then
  echo "$CACHE/vmlinuz"
  exit 0
fi

resolve() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/{print $2; exit}'
}
KPKG=$(resolve || true)
if [ -z "$KPKG" ]; then
  # no package lists yet: refresh them once (Debian's mirror only)
  apt-get update -qq >&2 || die "apt-get update failed"
  KPKG=$(resolve || true)
fi
[ -n "$KPKG" ] || die "cannot resolve the versioned package behind linux-image-amd64 (apt-cache depends)"

WORK=$(mktemp -d "$CACHE/.fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
if ! apt-get download -q "$KPKG" >download.log 2>&1; then
  # a stale package list can name a version the mirror no longer has
  apt-get update -qq >&2 || true
  KPKG=$(resolve || true)
  [ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 after apt-get update"
  apt-get download -q "$KPKG" >download.log 2>&1 ||
    die "apt-get download $KPKG failed: $(tail -n 3 download.log | tr '\n' ' ')"
fi
DEB=$(ls "$KPKG"_*.deb 2>/dev/null | head -1)
[ -n "$DEB" ] || die "apt-get download $KPKG produced no .deb"

mkdir x
dpkg-deb --fsys-tarfile "$DEB" | tar -xf - -C x --wildcards './boot/vmlinuz-*' '*/e1000.ko' ||
  die "cannot unpack $DEB"
K=$(ls x/boot/vmlinuz-* 2>/dev/null | head -1)
[ -n "$K" ] || die "$DEB has no /boot/vmlinuz-*"
mkdir -p "$CACHE/modules"
E1000=$(find x -name e1000.ko | head -1)
[ -n "$E1000" ] && cp "$E1000" "$CACHE/modules/e1000.ko.tmp" && mv "$CACHE/modules/e1000.ko.tmp" "$CACHE/modules/e1000.ko"
cp "$K" "$CACHE/vmlinuz.tmp" && mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
echo "$KPKG" >"$CACHE/version.tmp" && mv "$CACHE/version.tmp" "$CACHE/version"
echo "$CACHE/vmlinuz"
