#!/usr/bin/env bash
# Make sure PostgreSQL's server and Redis are installed, from Debian's packages, for the scale-out
# test (`make services`, run by `make test`). The test starts its own throwaway instances on
# loopback; nothing here starts or enables a system service. Without root (or passwordless sudo)
# it only says how to install them: the scale-out test then skips, saying why.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "note: ${missing[*]} missing and apt-get is not available; the scale-out test will be skipped." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "note: ${missing[*]} missing; install with 'sudo apt-get install -y ${missing[*]}' to run the scale-out test." >&2
  exit 0
fi
echo "Installing ${missing[*]} from Debian's packages for the scale-out test..."
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
# policy-rc.d exit 101: install the packages without starting their system services
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${as_root[@]}" chmod +x /usr/sbin/policy-rc.d
  trap '"${as_root[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed ${missing[*]}."
