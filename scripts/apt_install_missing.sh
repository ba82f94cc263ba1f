#!/usr/bin/env bash
# Install Debian packages that tests need, if they are missing (`make browser`, `make services`,
# both run by `make test`):
#
#   scripts/apt_install_missing.sh "<what they are for>" <package>:<path or glob that shows it is installed> ...
#
# Nothing here starts or enables a system service: the tests start their own throwaway instances.
# Without root (or passwordless sudo) it only says how to install them; the tests that need them
# then skip, saying why.
set -euo pipefail
purpose=$1
shift
missing=()
for wanted in "$@"; do
  package=${wanted%%:*}
  # shellcheck disable=SC2086  # the path may be a glob
  compgen -G ${wanted#*:} >/dev/null || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "note: ${missing[*]} missing and apt-get is not available; $purpose will be skipped." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "note: ${missing[*]} missing; 'sudo apt-get install -y ${missing[*]}' to run $purpose." >&2
  exit 0
fi
echo "Installing ${missing[*]} from Debian's packages for $purpose..."
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
