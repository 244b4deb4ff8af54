#!/usr/bin/env bash
# Installs what is missing, builds the `dev` preset and launches the workbench on the
# embedded demo project (`--demo`: a small C program with a planted, intermittent
# regression, its recipes beside it), the new-session dialog ready: press Start.
# Without a display it runs under Xvfb. Arguments go to the app instead of `--demo`,
# e.g. `--repo ~/linux --screenshot shot.png` saves a picture of the window and quits.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target bisect-workbench -j "${BW_JOBS:-$(nproc)}"

app=build/dev/app/bisect-workbench
if [ $# -eq 0 ]; then set -- --demo; fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$app" "$@"
fi
echo "No display found: running under Xvfb." >&2
exec xvfb-run -a -s "-screen 0 1280x800x24" "$app" "$@"
