#!/usr/bin/env bash
# Writes the realistic seed inputs of every fuzz target into OUT/<target>/ (default: a
# temporary directory, printed at the end). Real tools made them: `git bisect` on a
# scratch repository (its log and its BISECT_* files), `git commit-graph write` (a single
# file and a split chain), the demo's recipes and scripts, and terminal output with
# colours, firmware resets and a kernel panic. scripts/fuzz.sh --merge folds new inputs
# into tests/fuzz/corpus/ (minimised with libFuzzer's -merge=1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"/{bisectlog,recipe,recipevariables,console,ansi,gitbisectfiles,commitgraph}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export GIT_AUTHOR_NAME=Fuzz GIT_AUTHOR_EMAIL=fuzz@example.org
export GIT_COMMITTER_NAME=Fuzz GIT_COMMITTER_EMAIL=fuzz@example.org
export GIT_CONFIG_NOSYSTEM=1 HOME=$work

# ---- a repository with a merge, and bisects on it
repo=$work/repo
git init -q -b main "$repo"
cd "$repo"
for i in $(seq 1 24); do
  echo "$i" > file; git add file
  GIT_COMMITTER_DATE="@$((1700000000 + i * 600)) +0000" \
    git commit -q -m "step $i: change file" --date "@$((1700000000 + i * 600)) +0000"
  [ "$i" = 8 ] && git tag v0.1
  if [ "$i" = 12 ]; then
    git checkout -q -b side HEAD~3
    echo side > other; git add other; git commit -q -m "side: add other"
    git checkout -q main
    git merge -q --no-ff -m "Merge branch 'side'" side
  fi
done

snapshot() { # NAME: the bisect state files as one gitbisectfiles input
  local f=$out/gitbisectfiles/seed-$1
  : > "$f"
  for n in BISECT_START BISECT_TERMS BISECT_NAMES BISECT_LOG BISECT_EXPECTED_REV \
           BISECT_ANCESTORS_OK BISECT_FIRST_PARENT BISECT_HEAD head-name packed-refs; do
    [ -f .git/$n ] && { echo "### $n"; cat .git/$n; } >> "$f"
  done
  if [ -d .git/refs/bisect ]; then
    (cd .git && find refs/bisect -type f | sort) | while read -r r; do
      { echo "### $r"; cat ".git/$r"; } >> "$f"
    done
  fi
}

# classic bisect with a skip and a pathspec
git bisect start HEAD v0.1 -- file >/dev/null
snapshot start
git bisect skip >/dev/null 2>&1 || true
git bisect good >/dev/null 2>&1 || true
git bisect bad >/dev/null 2>&1 || true
snapshot classic
git bisect log > "$out/bisectlog/seed-classic.log"
git bisect reset >/dev/null 2>&1
# custom terms, first parent, no checkout
git bisect start --term-old=fast --term-new=slow --first-parent --no-checkout >/dev/null
git bisect slow HEAD >/dev/null
git bisect fast v0.1 >/dev/null
git bisect fast >/dev/null 2>&1 || true
snapshot terms
git bisect log > "$out/bisectlog/seed-terms.log"
git pack-refs --all
snapshot packed
git bisect reset >/dev/null 2>&1
# a finished run
git bisect start HEAD v0.1 >/dev/null
git bisect run sh -c 'test "$(cat file)" -lt 17' > "$out/console/seed-bisect-run.txt" 2>&1 || true
git bisect log > "$out/bisectlog/seed-run.log"
snapshot run
git bisect reset >/dev/null 2>&1
# an only-skipped end and a hand-edited log with comments, CRLF and quoting
printf '%s\r\n' "# edited by hand" "git bisect start 'HEAD' 'v0.1' '--' 'it'\''s here' 'bang'\!'' " \
  "git-bisect good $(git rev-parse v0.1)" "  git bisect skip HEAD~2" \
  "git bisect terms 'new' 'old'" "git bisect bad HEAD" > "$out/bisectlog/seed-handmade.log"

# ---- commit-graphs: a single file, and a split chain of three layers
git commit-graph write --reachable
cp .git/objects/info/commit-graph "$out/commitgraph/seed-single.graph"
rm .git/objects/info/commit-graph
git checkout -q v0.1 && git commit-graph write --reachable --split=no-merge
git checkout -q main~4 && git commit-graph write --reachable --split=no-merge
git checkout -q main && git commit-graph write --reachable --split=no-merge
chain=$(cat .git/objects/info/commit-graphs/commit-graph-chain)
first=1
for h in $chain; do
  [ $first = 1 ] || printf 'BWLAYER!' >> "$out/commitgraph/seed-chain.graph"
  cat ".git/objects/info/commit-graphs/graph-$h.graph" >> "$out/commitgraph/seed-chain.graph"
  first=0
done

# ---- recipes: the demo's, and the recipe tests' snippets
python3 - "$root" "$out" <<'PY'
import re, sys, pathlib
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
demo = (root / "services/demo/DemoRecipes.cpp").read_text()
for name, body in re.findall(r'const char (\w+)\[\] =\s*R"demo\((.*?)\)demo"', demo, re.S):
    target = "recipe" if name.endswith("Toml") else "recipevariables"
    (out / target / f"seed-demo-{name}").write_text(body)
tests = (root / "tests/services/tst_recipeloader.cpp").read_text()
for i, body in enumerate(re.findall(r'R"\w*\((.*?)\)\w*"', tests, re.S)):
    (out / "recipe" / f"seed-test-{i:02d}.toml").write_text(body)
PY
cat > "$out/recipe/seed-every-key.toml" <<'TOML'
name = "host kernel: network hangs after copying 3-20 GiB"
[bisect]
terms = ["fast", "slow"]
first_parent = true
check_endpoints = false
confirm_culprit = 2
mode = "flaky"
detection = 0.7
false_alarm = 0.05
confidence = 0.95
[checkout]
mode = "in-place"
[build]
kind = "make"
target = "bzImage"
jobs = 8
args = ["O=out", "LOCALVERSION=-${short}"]
env = { CC = "ccache gcc", KBUILD_BUILD_USER = "bw" }
timeout = 5400
[deploy]
kind = "libvirt-disk"
uri = "qemu+ssh://root@vmhost/system"
domain = "nixos-test"
image = "${result}/nixos.qcow2"
disk = "vda"
format = "qcow2"
resize = "40G"
timeout = "10m"
[wait]
kind = "console"
pattern = '^(\S+ )?login: $'
expect_version = true
timeout = "3m"
[test]
kind = "transfer"
file = "~/isos/debian-12.iso"
destination = "/tmp/x.iso"
repeat = 15
timeout = "3m"
[[classify]]
stage = "deploy"
outcome = "timeout"
verdict = "skip"
[[classify]]
stage = "any"
log = "console"
pattern = "Kernel panic|BUG: "
verdict = "slow"
[[classify]]
stage = "test"
outcome = "exit:1-127"
verdict = "bad"
[notify]
desktop = false
webhook = "https://hooks.example.org/bisect?token=${session}"
TOML
cat > "$out/recipe/seed-script.toml" <<'TOML'
[build]
kind = "nix"
flake = ".#qemuImage"
result = "result-${short}"
command = """
nix build .#packages.x86_64-linux.kernel \
  --override-input src "git+file://${repo}?rev=${commit}"
"""
[deploy]
kind = "libvirt-kernel"
xml = "domain.xml"
kernel = "${result}/bzImage"
cmdline = "console=ttyS0 root=/dev/vda"
[wait]
kind = "ssh"
host = "10.0.0.2"
port = 22
[test]
kind = "script"
command = "sh ./bisect.sh '${commit}' \"${subject}\" $((${step} * 2))"
TOML
cat > "$out/recipevariables/seed-shell" <<'SH'
make -C "${worktree}" O=out/${short} && cp "$BW_RESULT" '${session}/bzImage' # ${commit}
SH
printf '%s' 'echo "$((${step} + 1))" `date` $(git -C ${repo} log -1 --format=%s ${commit}) <<EOF
${subject}
EOF
\${version} $${literal}' > "$out/recipevariables/seed-contexts"
printf 'scp ${result} root@host:/boot/vmlinuz-${version}\0$(reboot)\0it'"'"'s\0a\nb\0;rm -rf /' \
  > "$out/recipevariables/seed-hostile-values"

# ---- console output: firmware resets, a kernel boot, an oops and a panic
{
  printf '\x00'
  printf '\x1bc\x1b[?7l\x1b[2JSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n'
  printf 'iPXE (https://ipxe.org) 00:03.0 CA00 PCI2.10 PnP PMM+7EFD0E40+7EF30E40 CA00\r\n'
  printf 'Booting from ROM...\r\n\x1b[0m\x1b[1;37m'
  printf '[    0.000000] Linux version 5.15.0-rc1 (nixbld@localhost) (gcc 12.2.0) #1 SMP\r\n'
  printf '[    0.000000] Command line: console=ttyS0 panic=-1\r\n'
  printf '[    1.234567] e1000 0000:00:03.0 eth0: (PCI:33MHz:32-bit) 52:54:00:12:34:56\r\n'
  printf '[   12.000001] BUG: kernel NULL pointer dereference, address: 0000000000000008\r\n'
  printf '[   12.000002] #PF: supervisor read access in kernel mode\r\n'
  printf '[   12.000003] Oops: 0000 [#1] SMP PTI\r\n'
  printf '[   12.000004] RIP: 0010:e1000_clean_tx_irq+0x7a/0x380 [e1000]\r\n'
  printf '[   12.000005] Kernel panic - not syncing: Fatal exception in interrupt\r\n'
  printf '[   12.000006] ---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---\r\n'
  printf 'progress  10%%\rprogress  50%%\rprogress 100%%\r\n'
  printf '\x1b]0;guest title\x07Debian GNU/Linux 12 guest ttyS0\r\n\r\nguest login: '
} > "$out/console/seed-boot-panic"
printf '\x07caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\x9b split\x1b[3' > "$out/console/seed-utf8"

# ---- terminal output for the log views
{
  printf '\x00\x05'
  printf '\x1b[01m\x1b[Kmain.c:3:5:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[K'
  printf "expected '\x1b[01m\x1b[K;\x1b[m\x1b[K' before '\x1b[01m\x1b[K}\x1b[m\x1b[K' token\n"
  printf '    3 |     return 0\n      |     \x1b[01;31m\x1b[K^~~~~~\x1b[m\x1b[K\n'
  printf '\x1b[38;5;208morange\x1b[39m \x1b[48;2;10;20;30mtruecolor\x1b[49m '
  printf '\x1b[38:2::255:128:0mcolon form\x1b[0m \x1b[1;3;4;7;9mall\x1b[22;23;24;27;29m\n'
  printf '\x1b]8;;https://example.org\x1b\\a link\x1b]8;;\x1b\\ \x1b[?25l\x1b[2K\x1b[1G'
  printf 'ok \xe2\x80\xa8 \xef\xb7\x90 \x9b C1 \x1b(B\x1b)0\x1b7\x1b8\x1bPdcs\x1b\\\n'
  printf 'ninja: [12/340] Building CXX object\r[13/340] Building CXX object\n'
} > "$out/ansi/seed-compiler"
cp "$out/console/seed-boot-panic" "$out/ansi/seed-boot-panic"
printf '\x10\x33' > "$out/ansi/seed-longline"
head -c 300 /dev/zero | tr '\0' 'x' >> "$out/ansi/seed-longline"

echo "$out"
