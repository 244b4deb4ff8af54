#!/usr/bin/env bash
# Installs what is missing, builds the `dev` preset and launches the workbench.
# Without a display it runs under Xvfb. Arguments go to the app (default: `--repo .`),
# e.g. `--repo ~/linux --screenshot shot.png` saves a picture of the window and quits.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target bisect-workbench -j "${BW_JOBS:-$(nproc)}"

app=build/dev/app/bisect-workbench
# Until the embedded demo project exists, the workbench opens on its own history.
if [ $# -eq 0 ]; then set -- --repo "$PWD"; fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$app" "$@"
fi
echo "No display found: running under Xvfb." >&2
exec xvfb-run -a -s "-screen 0 1280x800x24" "$app" "$@"
