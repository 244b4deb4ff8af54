#!/usr/bin/env bash
# Installs the Debian 12 packages Bisect Workbench needs to build, test and run.
# Idempotent: only missing packages are installed; `apt-get update` runs once, when needed.
# Nothing is downloaded from anywhere but Debian's package mirror.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format git
  # Qt 6
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libqt6sql6-sqlite libgl-dev libqt6opengl6-dev
  # C libraries of the outside world
  libgit2-dev libvirt-dev libssh-dev libtomlplusplus-dev
  # running the GUI headless (demo under Xvfb, screenshots)
  xvfb xauth fonts-dejavu-core
  # the `nix` build stage's tests (an offline flake build; no daemon needed as root)
  nix-bin
  # report tests: the PDF opened and rendered, the JSON schema checked, the HTML in a browser
  poppler-utils python3-jsonschema chromium
  # VMs and remote machines: a hand-started libvirtd with QEMU (TCG), the guest's busybox
  # initramfs and dropbear, a local sshd for the SSH tests, cpio to pack the initramfs
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils
  busybox-static dropbear-bin openssh-server cpio
  # notifications: the tests start a private session bus
  dbus-daemon
  # packaging: the .desktop file and the AppStream metainfo are validated
  desktop-file-utils appstream
  # fuzzing the parsers (libFuzzer, clang)
  clang libfuzzer-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

install_missing() {
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # update once when the package lists are missing or older than a day
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    $SUDO apt-get update -qq
  fi
  if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    # a stale list can name versions the mirror no longer has: refresh once and retry
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  install_missing
fi

# The VM tests' machine preparation (the libvirt-qemu user, qemu.conf, libvirt's log
# directory) and Debian's kernel for the guests, fetched once from Debian's mirror.
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/tests/support/vm/libvirtd-fixture.sh" prepare
bash "$here/tests/support/vm/guest-kernel.sh" >/dev/null
