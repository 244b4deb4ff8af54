#!/usr/bin/env bash
# Packs a tiny initramfs for the VM tests' guests: busybox-static and an /init that
# mounts proc/sys/dev, optionally runs a command, prints a marker line on the serial
# console, then does what --then says.
#
#   make-initramfs.sh OUT.cpio.gz [--marker TEXT] [--then MODE] [--command CMD]
#                                 [--dropbear KEYDIR E1000_KO]
#
#   --marker TEXT   the line printed when init is ready (default: BW-MARKER-OK)
#   --then MODE     poweroff (default) | hang (sleep forever) | tick (print "BW-TICK n"
#                   every second, forever) | panic (init exits: "Kernel panic - not
#                   syncing: Attempted to kill init!") | reboot (reboot -f: every boot
#                   prints the marker again)
#   --command CMD   a shell command run by init before the marker
#   --dropbear KEYDIR E1000_KO
#                   also bring up eth0 (e1000, slirp 10.0.2.15/24) and dropbear on port 22
#                   with KEYDIR/hostkey and KEYDIR/authorized_keys (REAL-COMPONENTS.md 4)
#
# Needs busybox-static (and dropbear-bin for --dropbear); no network. ~0.2 s.
set -euo pipefail

die() { echo "make-initramfs: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: make-initramfs.sh OUT [--marker TEXT] [--then MODE] [--command CMD] [--dropbear KEYDIR E1000_KO]"
OUT=$1; shift
MARKER=BW-MARKER-OK; THEN=poweroff; COMMAND=""; KEYDIR=""; E1000=""
while [ $# -gt 0 ]; do
  case "$1" in
    --marker) MARKER=$2; shift 2 ;;
    --then) THEN=$2; shift 2 ;;
    --command) COMMAND=$2; shift 2 ;;
    --dropbear) KEYDIR=$2; E1000=$3; shift 3 ;;
    *) die "unknown option $1" ;;
  esac
done
case "$THEN" in poweroff|hang|tick|panic|reboot) ;; *) die "unknown --then $THEN" ;; esac

BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "$BUSYBOX is missing (apt-get install busybox-static)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then die "$BUSYBOX is not static (apt-get install busybox-static)"; fi

OUT=$(realpath -m "$OUT")
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
mkdir -p "$R/bin" "$R/sbin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/etc" "$R/root"
cp "$BUSYBOX" "$R/bin/busybox"
for a in $("$BUSYBOX" --list); do [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"; done

q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }   # shell-quote for /init

NET=""
if [ -n "$KEYDIR" ]; then
  [ -x /usr/sbin/dropbear ] || die "/usr/sbin/dropbear is missing (apt-get install dropbear-bin)"
  [ -f "$KEYDIR/hostkey" ] && [ -f "$KEYDIR/authorized_keys" ] || die "$KEYDIR needs hostkey and authorized_keys"
  [ -f "$E1000" ] || die "e1000 module '$E1000' not found (guest-kernel.sh puts it in its cache's modules/)"
  mkdir -p "$R/root/.ssh" "$R/etc/dropbear" "$R/lib/modules" "$R/lib64" "$R/lib/x86_64-linux-gnu" "$R/var/log" "$R/run"
  cp /usr/sbin/dropbear "$R/sbin/dropbear"
  for lib in $(ldd /usr/sbin/dropbear | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"; done
  cp "$E1000" "$R/lib/modules/e1000.ko"
  cp "$KEYDIR/hostkey" "$R/etc/dropbear/hostkey"
  cp "$KEYDIR/authorized_keys" "$R/root/.ssh/authorized_keys"
  chmod 700 "$R/root" "$R/root/.ssh"; chmod 600 "$R/root/.ssh/authorized_keys"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
  echo 'root:x:0:' >"$R/etc/group"
  echo '/bin/sh' >"$R/etc/shells"
  NET='mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
insmod /lib/modules/e1000.ko
ip link set lo up; ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2
/sbin/dropbear -r /etc/dropbear/hostkey -s -p 22 -E 2>/tmp/dropbear.log
i=0; until ping -c1 -W1 10.0.2.2 >/dev/null 2>&1 || [ $i -ge 30 ]; do i=$((i+1)); done'
fi

case "$THEN" in
  poweroff) FINAL='poweroff -f' ;;
  hang) FINAL='while true; do sleep 3600; done' ;;
  tick) FINAL='i=0; while true; do echo "BW-TICK $i"; i=$((i+1)); sleep 1; done' ;;
  panic) FINAL='exit 1' ;;
  reboot) FINAL='reboot -f' ;;
esac

{
  echo '#!/bin/sh'
  echo 'export PATH=/bin:/sbin'
  echo 'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev'
  [ -n "$NET" ] && echo "$NET"
  [ -n "$COMMAND" ] && echo "$COMMAND"
  echo "echo $(q "$MARKER")"
  echo "$FINAL"
} >"$R/init"
chmod +x "$R/init"

if command -v cpio >/dev/null 2>&1; then CPIO=(cpio --quiet -o -H newc); else CPIO=("$BUSYBOX" cpio -o -H newc); fi
(cd "$R" && find . | LC_ALL=C sort | "${CPIO[@]}" 2>/dev/null | gzip -1 >"$OUT.tmp") || die "cannot pack $OUT"
mv "$OUT.tmp" "$OUT"
echo "$OUT"
