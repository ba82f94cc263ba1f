#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the widget's browser tests (`make browser`, run by
# `make test`). Playwright drives /usr/bin/chromium; its own browser download does not work here.
# Without root (or passwordless sudo) it only says how to install it: the browser tests then skip,
# saying why.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "note: $CHROMIUM is missing and apt-get is not available; the browser tests will be skipped." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "note: $CHROMIUM is missing; install it with 'sudo apt-get install -y chromium' to run the browser tests." >&2
  exit 0
fi
echo "Installing Chromium from Debian's packages for the browser tests..."
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "Installed $("$CHROMIUM" --version)."
