#!/usr/bin/env bash
# A hand-started libvirtd (+ virtlogd) for the VM tests, as REAL-COMPONENTS.md 3 says:
# no systemd, Debian 12's monolithic libvirtd, QEMU running as root with TCG.
#
#   libvirtd-fixture.sh start [OWNER_PID]   prepare the system, start the daemons (or use
#                                           the running ones) and register OWNER_PID as a
#                                           user; prints LIBVIRTD_PID=, VIRTLOGD_PID=,
#                                           STARTED=1|0 and URI= lines
#   libvirtd-fixture.sh stop [OWNER_PID]    drop OWNER_PID's claim; when no live claim is
#                                           left, stop (by pid) the daemons this fixture
#                                           started — never ones it found running
#   libvirtd-fixture.sh status
#   libvirtd-fixture.sh prepare             only the one-time system setup (the libvirt-qemu
#                                           user, /etc/libvirt/qemu.conf, log/state dirs)
#
# OWNER_PID defaults to the caller's pid ($PPID). Several test runs may share the
# daemons: claims of processes that died are ignored. Needs root, libvirt-daemon,
# libvirt-daemon-driver-qemu, libvirt-clients, qemu-system-x86. Every wait has a deadline.
set -euo pipefail

CMD=${1:-status}
OWNER=${2:-$PPID}
STATE=${BW_LIBVIRTD_FIXTURE_STATE:-/run/bisect-workbench/libvirtd-fixture}
URI=qemu:///system
die() { echo "libvirtd-fixture: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (the system libvirtd)"
mkdir -p "$STATE/owners"
exec 9>"$STATE/lock"
flock -w 120 9 || die "timed out waiting for $STATE/lock"

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_of() { # pidfile expected-comm -> the pid when it is alive and is that program
  local f=$1 comm=$2 p
  [ -s "$f" ] || return 1
  p=$(cat "$f")
  alive "$p" && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$comm" ] && echo "$p"
}
ready() { timeout 10 virsh -c "$URI" version >/dev/null 2>&1; }
prune_owners() {
  local f
  for f in "$STATE"/owners/*; do
    [ -e "$f" ] || continue
    alive "$(basename "$f")" || rm -f "$f"
  done
}

prepare() {
  getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
  getent passwd libvirt-qemu >/dev/null ||
    useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
  local want='user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"'
  mkdir -p /etc/libvirt /var/log/libvirt/qemu /var/lib/libvirt /var/cache/libvirt /run/libvirt
  if [ "$(cat /etc/libvirt/qemu.conf 2>/dev/null)" != "$want" ]; then
    [ -e /etc/libvirt/qemu.conf ] && [ ! -e /etc/libvirt/qemu.conf.bw-orig ] &&
      cp /etc/libvirt/qemu.conf /etc/libvirt/qemu.conf.bw-orig
    printf '%s\n' "$want" >/etc/libvirt/qemu.conf
  fi
}

start() {
  prepare
  prune_owners
  local lpid vpid started_l="" started_v=""
  vpid=$(pid_of /run/virtlogd.pid virtlogd || true)
  if [ -z "$vpid" ]; then
    virtlogd -d 9>&- || die "virtlogd -d failed"
    for _ in $(seq 1 100); do vpid=$(pid_of /run/virtlogd.pid virtlogd || true); [ -n "$vpid" ] && break; sleep 0.1; done
    [ -n "$vpid" ] || die "virtlogd did not write /run/virtlogd.pid within 10 s"
    started_v=$vpid
  fi
  lpid=$(pid_of /run/libvirtd.pid libvirtd || true)
  if [ -z "$lpid" ]; then
    libvirtd -d 9>&- || die "libvirtd -d failed: $(tail -n 5 /var/log/libvirt/libvirtd.log 2>/dev/null)"
    for _ in $(seq 1 100); do lpid=$(pid_of /run/libvirtd.pid libvirtd || true); [ -n "$lpid" ] && break; sleep 0.1; done
    [ -n "$lpid" ] || die "libvirtd did not start: $(tail -n 5 /var/log/libvirt/libvirtd.log 2>/dev/null)"
    started_l=$lpid
  fi
  # Ready after 4-5 s cold (QEMU capability probe), under a second when warm.
  local deadline=$((SECONDS + 90))
  until ready; do
    alive "$lpid" || die "libvirtd exited: $(tail -n 5 /var/log/libvirt/libvirtd.log 2>/dev/null)"
    [ $SECONDS -lt $deadline ] || die "libvirtd did not answer on $URI within 90 s"
    sleep 0.1
  done
  [ -n "$started_l" ] && echo "$started_l" >"$STATE/libvirtd.started"
  [ -n "$started_v" ] && echo "$started_v" >"$STATE/virtlogd.started"
  touch "$STATE/owners/$OWNER"
  local s=0; [ -n "$started_l$started_v" ] && s=1
  echo "LIBVIRTD_PID=$lpid"
  echo "VIRTLOGD_PID=$vpid"
  echo "STARTED=$s"
  echo "URI=$URI"
}

stop_pid() { # pid name
  local p=$1
  alive "$p" || return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$p" || return 0; sleep 0.1; done
  echo "libvirtd-fixture: $2 ($p) ignored SIGTERM for 10 s, killing it" >&2
  kill -KILL "$p" 2>/dev/null || true
}

stop() {
  rm -f "$STATE/owners/$OWNER"
  prune_owners
  if [ -n "$(ls -A "$STATE/owners")" ]; then
    echo "libvirtd-fixture: still used by $(ls "$STATE/owners" | tr '\n' ' ')"
    return 0
  fi
  local p
  # libvirtd first: it hands guest logs to virtlogd until the end
  if [ -s "$STATE/libvirtd.started" ]; then
    p=$(cat "$STATE/libvirtd.started")
    [ "$(pid_of /run/libvirtd.pid libvirtd || true)" = "$p" ] && stop_pid "$p" libvirtd
    rm -f "$STATE/libvirtd.started"
  fi
  if [ -s "$STATE/virtlogd.started" ]; then
    p=$(cat "$STATE/virtlogd.started")
    [ "$(pid_of /run/virtlogd.pid virtlogd || true)" = "$p" ] && stop_pid "$p" virtlogd
    rm -f "$STATE/virtlogd.started"
  fi
  echo "libvirtd-fixture: stopped"
}

status() {
  prune_owners
  echo "LIBVIRTD_PID=$(pid_of /run/libvirtd.pid libvirtd || true)"
  echo "VIRTLOGD_PID=$(pid_of /run/virtlogd.pid virtlogd || true)"
  echo "OWNERS=$(ls "$STATE/owners" | tr '\n' ' ')"
}

case "$CMD" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  prepare) prepare ;;
  *) die "usage: libvirtd-fixture.sh start|stop|status|prepare [OWNER_PID]" ;;
esac
