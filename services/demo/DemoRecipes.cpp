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
# the stress test in the guest, twelve times with a timeout each.
#
# Once per machine, before the first session (fetches Debian's kernel package with
# apt-get and makes the SSH keys):
#
#   sh vm/prepare-vm.sh
#
# Needs libvirtd with the QEMU driver (qemu:///system), busybox-static, dropbear-bin,
# openssh-client (ssh-keygen), a C compiler and libc6-dev (for the static netsim). The
# files libvirt boots must be readable by its QEMU user.
#
#   bisect-workbench run --recipe vm.toml --good v0.1 --bad HEAD
name = "netsim in a VM: the transfer hangs after a few GiB"

[bisect]
terms = ["good", "bad"]

[checkout]
mode = "worktree"

[build]
kind = "command"
command = ["sh", "${repo}/vm/build-initramfs.sh", "${worktree}", "${session}/initramfs.gz"]
timeout = "5m"

[deploy]
kind = "libvirt-kernel"
uri = "qemu:///system"
xml = "vm/domain.xml"
kernel = "vm/vmlinuz"
initrd = "${session}/initramfs.gz"
cmdline = "console=ttyS0 panic=-1 quiet"
timeout = "3m"

[wait]
kind = "ssh"
host = "127.0.0.1"
port = 2222
user = "root"
identity = "vm/keys/id_ed25519"
known_hosts = "vm/keys/known_hosts"
timeout = "3m"

[test]
kind = "remote-command"
command = ["netsim", "--stress", "10"]
repeat = 12
timeout = "30s"
)demo";

const char domainXml[] =
    R"demo(<!-- The guest of vm.toml: Debian's kernel booted directly on this step's initramfs,
     emulated (TCG), the serial port as the console, and SSH forwarded from
     127.0.0.1:2222. libvirt 9.0 ignores <portForward> with its default user-mode
     network, so the network is passed to QEMU as it is, without an <interface>.
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
#   build-initramfs.sh WORKTREE OUT        (run vm/prepare-vm.sh once before)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WT=$(cd "$1" && pwd)
OUT=$(realpath -m "$2")
for f in "$HERE/vmlinuz" "$HERE/e1000.ko" "$HERE/keys/hostkey" "$HERE/keys/authorized_keys"; do
    if [ ! -e "$f" ]; then
        echo "build-initramfs: $f is missing: run 'sh $HERE/prepare-vm.sh' once" >&2
        exit 1
    fi
done
BUSYBOX=$(command -v busybox || echo /bin/busybox)
DROPBEAR=$(command -v dropbear || echo /usr/sbin/dropbear)

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
(cd "$R" && find . | "$R/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1 > "$OUT.tmp")
mv "$OUT.tmp" "$OUT"
echo "build-initramfs: $OUT ($(wc -c < "$OUT") bytes)"
)demo";

const char prepareVm[] = R"demo(#!/bin/sh
# Once per machine, before vm.toml's first session:
#  - Debian's kernel: vmlinuz and its e1000 module, from the package linux-image-amd64
#    depends on, fetched with `apt-get download` (the only step that needs a network);
#  - the SSH keys: the guest's host key (dropbearkey), your client key (ssh-keygen) and
#    a known_hosts that pins the guest's key for [127.0.0.1]:2222.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
if [ ! -e vmlinuz ] || [ ! -e e1000.ko ]; then
    KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    if [ -z "$KPKG" ]; then
        echo "prepare-vm: no Debian kernel package found (apt-cache depends linux-image-amd64)" >&2
        exit 1
    fi
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    (cd "$TMP" && apt-get download "$KPKG")
    dpkg-deb --fsys-tarfile "$TMP/$KPKG"_*.deb |
        tar -xf - -C "$TMP" --wildcards './boot/vmlinuz-*' '*/e1000.ko'
    cp "$TMP"/boot/vmlinuz-* vmlinuz
    cp "$(find "$TMP" -name e1000.ko | head -n 1)" e1000.ko
fi
mkdir -p keys
[ -e keys/hostkey ] || dropbearkey -t ed25519 -f keys/hostkey >/dev/null
[ -e keys/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -f keys/id_ed25519
cp keys/id_ed25519.pub keys/authorized_keys
echo "[127.0.0.1]:2222 $(dropbearkey -y -f keys/hostkey | grep '^ssh-' | cut -d' ' -f1,2)" \
    > keys/known_hosts
chmod a+r vmlinuz e1000.ko
echo "prepare-vm: ready: $HERE/vmlinuz, $HERE/e1000.ko, keys in $HERE/keys"
)demo";

} // namespace

std::vector<ProjectFile> recipeFilesContent() {
    return {
        {QStringLiteral("local.toml"), localToml, false},
        {QStringLiteral("flaky.toml"), flakyToml, false},
        {QStringLiteral("vm.toml"), vmToml, false},
        {QStringLiteral("vm/domain.xml"), domainXml, false},
        {QStringLiteral("vm/build-initramfs.sh"), buildInitramfs, true},
        {QStringLiteral("vm/prepare-vm.sh"), prepareVm, true},
    };
}

} // namespace bw::demo
