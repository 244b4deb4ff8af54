#include "services/demo/DemoRecipes.h"

namespace bw::demo {

namespace {

const char localToml[] = R"demo(# The demo's recipe for any machine with make and a C compiler.
#
# Each step builds the commit with make, then runs `netsim --stress 10` twenty times,
# each run with a 2 s timeout. The planted regression makes a run hang after a few GiB
# with probability 1 - 0.933^10 = 0.50 (a lost interrupt, one GiB in fifteen); the
# timeout kills a hung run and the step is bad at the first hang. Twenty runs miss a bad
# commit with probability 0.5^20, about one in a million; a good commit never hangs and
# passes the twenty runs in well under a second. Commits that do not build are skipped
# (the default rule for a failed build).
#
#   bisect-workbench run --recipe local.toml --good v0.1 --bad HEAD
name = "netsim: the transfer hangs after a few GiB"

[bisect]
terms = ["good", "bad"]

[checkout]
mode = "worktree"

[build]
kind = "command"
command = ["make", "-j2", "netsim"]
timeout = "3m"

[test]
kind = "command"
command = ["./netsim", "--stress", "10"]
repeat = 20
timeout = "2s"
)demo";

const char flakyToml[] =
    R"demo(# The demo in the flaky mode: instead of repeating each test until a hang is all but
# certain, every run updates the probability of each commit being the first bad one,
# and the next commit tested is the one expected to teach the most. The session stops
# when one commit holds 99 % of it.
#
# One run of `netsim --stress 10` per step: a bad commit hangs with probability
# 1 - 0.933^10 = 0.50 (detection); a good commit never hangs, but a machine so loaded
# that a healthy run takes 2 s would look like one (false_alarm, kept small).
#
#   bisect-workbench run --recipe flaky.toml --good v0.1 --bad HEAD
name = "netsim: the transfer hangs after a few GiB (flaky mode)"

[bisect]
terms = ["good", "bad"]
mode = "flaky"
detection = 0.5
false_alarm = 0.01
confidence = 0.99

[build]
kind = "command"
command = ["make", "-j2", "netsim"]
timeout = "3m"

[test]
kind = "command"
command = ["./netsim", "--stress", "10"]
repeat = 1
timeout = "2s"
)demo";

const char vmToml[] =
    R"demo(# The seed story in miniature: netsim tested inside a QEMU guest. Each step builds an
# initramfs (busybox, dropbear and this commit's netsim, linked statically), boots
# Debian's kernel on it through libvirt with direct kernel boot (TCG: no KVM needed),
# streams the serial console into its tab, waits until the guest answers on SSH and runs
# the stress test in the guest, twenty times, each within 5 s: a healthy run takes 0.1 s
# in the emulated guest (0.6 s on a loaded machine), a hung one never ends. A step takes
# 20 s on a quiet machine, up to a minute on a busy one (TCG needs the CPU).
#
# Once per machine, before the first session:
#
#   sh vm/prepare-vm.sh
#
# It fetches Debian's kernel with apt-get (or takes yours: --kernel VMLINUZ --module
# E1000_KO), makes the SSH keys, then checks the rest: libvirtd running with the QEMU
# driver at qemu:///system (libvirt-daemon-system, qemu-system-x86), busybox-static,
# dropbear-bin, make, gcc and libc6-dev. Every step checks again before it builds
# (vm/check-vm.sh): when something is missing the session stops at once and says what
# and how to get it (the [[classify]] rule below), instead of skipping every commit.
# libvirt's QEMU must be able to read vm/vmlinuz and the session folder.
#
#   bisect-workbench run --recipe vm.toml --good v0.1 --bad HEAD
name = "netsim in a VM: the transfer hangs after a few GiB"

[bisect]
terms = ["good", "bad"]

[checkout]
mode = "worktree"

[build]
kind = "command"
# WORKTREE OUT URI, where URI is [deploy]'s uri (change both): checked before building
command = ["sh", "${repo}/vm/build-initramfs.sh", "${worktree}", "${session}/initramfs.gz", "qemu:///system"]
timeout = "5m"

[deploy]
kind = "libvirt-kernel"
uri = "qemu:///system"
xml = "vm/domain.xml"
kernel = "vm/vmlinuz"
initrd = "${session}/initramfs.gz"
cmdline = "console=ttyS0 panic=-1"
timeout = "3m"

[wait]
kind = "ssh"
host = "127.0.0.1"
port = 2222                              # also in vm/domain.xml and vm/keys/known_hosts
user = "root"
identity = "vm/keys/id_ed25519"
known_hosts = "vm/keys/known_hosts"
timeout = "3m"

[test]
kind = "remote-command"
command = ["netsim", "--stress", "10"]
repeat = 20
timeout = "5s"

# A machine without what vm.toml needs: stop and say so (check-vm.sh exits 3).
[[classify]]
stage = "build"
outcome = "exit:3"
pattern = '^vm\.toml needs '
verdict = "abort"
)demo";

const char domainXml[] =
    R"demo(<!-- The guest of vm.toml: Debian's kernel booted directly on this step's initramfs,
     emulated (TCG), the serial port as the console, and SSH forwarded from
     127.0.0.1:2222 (also vm.toml's [wait] port, and the port vm/keys/known_hosts names:
     to use another, change both and run prepare-vm.sh again with that port). libvirt 9.0
     ignores <portForward> with its default user-mode network, so the network is passed
     to QEMU as it is, without an <interface>.
     <acpi/> lets `poweroff -f` in the guest stop the domain; the maximum CPU model gives
     the guest RDRAND, so dropbear does not wait for entropy. -->
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>bisect-netsim</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${kernel}</kernel>
    <initrd>${initrd}</initrd>
    <cmdline>${cmdline}</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <cpu mode='maximum'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='pty'>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-netdev'/>
    <qemu:arg value='user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22'/>
    <qemu:arg value='-device'/>
    <qemu:arg value='e1000,netdev=n0'/>
  </qemu:commandline>
</domain>
)demo";

const char buildInitramfs[] = R"demo(#!/bin/sh
# The guest of one step: this commit's netsim (linked statically), busybox, dropbear and
# the e1000 driver of Debian's kernel, packed as a gzip'd newc cpio archive.
#
#   build-initramfs.sh WORKTREE OUT [URI]        (run vm/prepare-vm.sh once before)
#
# Exits 3, saying what, when the machine lacks something vm.toml needs (check-vm.sh, with
# URI: [deploy]'s libvirt URI); a commit that does not build fails like make (exit 2).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin
sh "$HERE/check-vm.sh" "${3:-qemu:///system}" || exit 3
WT=$(cd "$1" && pwd)
OUT=$(realpath -m "$2")
BUSYBOX=$(command -v busybox || echo /bin/busybox)
DROPBEAR=$(command -v dropbear)

# A failed build is the commit's problem: the recipe skips it.
make -C "$WT" netsim CC="cc -static"

R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
copy_with_libs() {
    cp "$1" "$R$2"
    ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
        mkdir -p "$R$(dirname "$lib")"
        cp -L "$lib" "$R$lib"
    done
}
mkdir -p "$R/bin" "$R/sbin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/root/.ssh" \
         "$R/etc/dropbear" "$R/lib/modules" "$R/var/log" "$R/run"
copy_with_libs "$BUSYBOX" /bin/busybox
for a in $("$BUSYBOX" --list); do
    [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"
done
copy_with_libs "$DROPBEAR" /sbin/dropbear
cp "$WT/netsim" "$R/bin/netsim"
cp "$HERE/e1000.ko" "$R/lib/modules/e1000.ko"
cp "$HERE/keys/hostkey" "$R/etc/dropbear/hostkey"
cp "$HERE/keys/authorized_keys" "$R/root/.ssh/authorized_keys"
chmod 700 "$R/root" "$R/root/.ssh"
chmod 600 "$R/root/.ssh/authorized_keys"
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
echo 'root:x:0:' > "$R/etc/group"
echo '/bin/sh' > "$R/etc/shells"
cat > "$R/init" <<'EOS'
#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
echo "netsim guest: kernel $(uname -r), $(netsim --version)"
insmod /lib/modules/e1000.ko
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
/sbin/dropbear -r /etc/dropbear/hostkey -s -p 22 -E 2>/tmp/dropbear.log
# slirp learns the guest's address from its first packet: send one before saying ready
i=0
until ping -c1 -W1 10.0.2.2 >/dev/null 2>&1 || [ $i -ge 30 ]; do i=$((i+1)); done
echo "BISECT-SSH-READY"
while true; do sleep 3600; done
EOS
chmod +x "$R/init"
mkdir -p "$(dirname "$OUT")"
(cd "$R" && find . | LC_ALL=C sort | "$R/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1 > "$OUT.tmp")
mv "$OUT.tmp" "$OUT"
echo "build-initramfs: $OUT ($(wc -c < "$OUT") bytes)"
)demo";

const char checkVm[] = R"demo(#!/bin/sh
# What vm.toml needs on this machine. Run before every step's build (by
# build-initramfs.sh) and at the end of prepare-vm.sh. Prints one line per missing piece,
# "vm.toml needs WHAT: HOW TO GET IT" (short: the session's message shows the first one),
# details indented below it, and exits 3 when anything is missing: vm.toml's
# [[classify]] rule then stops the session with that line instead of skipping every
# commit. Exits 0 when everything is there.
#
#   check-vm.sh [URI]          URI: vm.toml's [deploy] uri (default qemu:///system)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
URI=${1:-qemu:///system}
missing=0
need() { echo "vm.toml needs $*"; missing=$((missing + 1)); }
has() { command -v "$1" >/dev/null 2>&1; }
PATH=$PATH:/usr/sbin:/sbin

# made by prepare-vm.sh
if [ ! -s "$HERE/vmlinuz" ] || [ ! -s "$HERE/e1000.ko" ]; then
    need "Debian's kernel in $HERE (vmlinuz, e1000.ko): run 'sh $HERE/prepare-vm.sh' once"
fi
for k in hostkey authorized_keys id_ed25519 known_hosts; do
    if [ ! -s "$HERE/keys/$k" ]; then
        need "the SSH keys in $HERE/keys: run 'sh $HERE/prepare-vm.sh' once"
        break
    fi
done

# what goes into the guest, and what builds it
has busybox || [ -x /bin/busybox ] ||
    need "busybox, the guest's userland: apt-get install busybox-static"
has dropbear || need "dropbear, the guest's SSH server: apt-get install dropbear-bin"
has make || need "make: apt-get install make"
if ! has cc; then
    need "a C compiler (cc): apt-get install gcc libc6-dev"
elif [ "$(cc -print-file-name=libc.a)" = libc.a ]; then
    need "the static C library for 'cc -static': apt-get install libc6-dev"
fi
has gzip || need "gzip: apt-get install gzip"

# libvirtd and QEMU, when the URI is this machine's
rest=${URI#*://}
host=${rest%%/*}
if [ -z "$host" ] || [ "$host" = localhost ]; then
    has qemu-system-x86_64 || need "QEMU for the guest: apt-get install qemu-system-x86"
    sock=""
    case "$URI" in
    *socket=*)
        sock=${URI#*socket=}
        sock=${sock%%&*}
        ;;
    *:///system*)
        sock=/run/libvirt/libvirt-sock
        [ -S "$sock" ] || [ ! -S /run/libvirt/virtqemud-sock ] || sock=/run/libvirt/virtqemud-sock
        ;;
    esac
    if [ -n "$sock" ] && [ ! -S "$sock" ]; then
        if has libvirtd; then
            need "libvirtd running: start it as root with 'libvirtd -d' (or 'systemctl start libvirtd')"
        else
            need "libvirtd: apt-get install libvirt-daemon-system, then start it ('libvirtd -d' as root)"
        fi
        echo "    ($URI: there is no socket $sock)"
    elif has virsh; then
        if ! err=$(timeout 20 virsh -c "$URI" version 2>&1 >/dev/null); then
            need "libvirtd answering at $URI: is it running, and may you use it? virsh says: $(echo "$err" | grep -v '^$' | tail -n 1)"
        fi
    fi
fi

if [ "$missing" -gt 0 ]; then
    echo "check-vm: $missing thing(s) missing for vm.toml; see above"
    exit 3
fi
echo "check-vm: everything vm.toml needs is here ($URI)"
)demo";

const char prepareVm[] = R"demo(#!/bin/sh
# Once per machine, before vm.toml's first session:
#  - Debian's kernel: vmlinuz and its e1000 module, from the package linux-image-amd64
#    depends on, fetched with `apt-get download` (the only step that needs a network),
#    or copied from files you have (--kernel and --module);
#  - the SSH keys: the guest's host key (dropbearkey), your client key (ssh-keygen) and
#    a known_hosts that pins the guest's key for [127.0.0.1]:PORT;
#  - then check-vm.sh: what else vm.toml needs, and how to get it.
#
#   prepare-vm.sh [--kernel VMLINUZ --module E1000_KO] [--port PORT] [--uri URI]
#
# PORT (default 2222) must match vm.toml's [wait] port and vm/domain.xml's hostfwd; URI
# (default qemu:///system) vm.toml's [deploy] uri. Exits 3 when something is still
# missing (listed), 1 on an error, 0 when vm.toml is ready to run.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin
KERNEL=""; MODULE=""; PORT=2222; URI=qemu:///system
die() { echo "prepare-vm: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case "$1" in
    --kernel) KERNEL=$(realpath -m "$2"); shift 2 ;;
    --module) MODULE=$(realpath -m "$2"); shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --uri) URI=$2; shift 2 ;;
    *) die "unknown option $1 (usage: prepare-vm.sh [--kernel VMLINUZ --module E1000_KO] [--port PORT] [--uri URI])" ;;
    esac
done
cd "$HERE"
if [ -n "$KERNEL$MODULE" ]; then
    [ -s "$KERNEL" ] && [ -s "$MODULE" ] || die "--kernel and --module need both files"
    cp "$KERNEL" vmlinuz.tmp && mv vmlinuz.tmp vmlinuz
    cp "$MODULE" e1000.ko.tmp && mv e1000.ko.tmp e1000.ko
elif [ ! -s vmlinuz ] || [ ! -s e1000.ko ]; then
    command -v apt-get >/dev/null 2>&1 ||
        die "no apt-get: give Debian's kernel with --kernel VMLINUZ --module E1000_KO"
    KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    [ -n "$KPKG" ] ||
        die "no Debian kernel package found (apt-cache depends linux-image-amd64); run 'apt-get update' first"
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    (cd "$TMP" && apt-get download "$KPKG") || die "apt-get download $KPKG failed"
    dpkg-deb --fsys-tarfile "$TMP/$KPKG"_*.deb |
        tar -xf - -C "$TMP" --wildcards './boot/vmlinuz-*' '*/e1000.ko'
    cp "$TMP"/boot/vmlinuz-* vmlinuz
    cp "$(find "$TMP" -name e1000.ko | head -n 1)" e1000.ko
fi
command -v dropbearkey >/dev/null 2>&1 || die "dropbearkey is missing: apt-get install dropbear-bin"
command -v ssh-keygen >/dev/null 2>&1 || die "ssh-keygen is missing: apt-get install openssh-client"
mkdir -p keys
[ -s keys/hostkey ] || dropbearkey -t ed25519 -f keys/hostkey >/dev/null 2>&1
[ -s keys/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -f keys/id_ed25519
cp keys/id_ed25519.pub keys/authorized_keys
echo "[127.0.0.1]:$PORT $(dropbearkey -y -f keys/hostkey | grep '^ssh-' | cut -d' ' -f1,2)" \
    > keys/known_hosts
chmod a+r vmlinuz e1000.ko
echo "prepare-vm: $HERE/vmlinuz, $HERE/e1000.ko and the keys in $HERE/keys are ready"
rc=0
sh "$HERE/check-vm.sh" "$URI" || rc=$?
exit $rc
)demo";

} // namespace

std::vector<ProjectFile> recipeFilesContent() {
    return {
        {QStringLiteral("local.toml"), localToml, false},
        {QStringLiteral("flaky.toml"), flakyToml, false},
        {QStringLiteral("vm.toml"), vmToml, false},
        {QStringLiteral("vm/domain.xml"), domainXml, false},
        {QStringLiteral("vm/build-initramfs.sh"), buildInitramfs, true},
        {QStringLiteral("vm/check-vm.sh"), checkVm, true},
        {QStringLiteral("vm/prepare-vm.sh"), prepareVm, true},
    };
}

} // namespace bw::demo
