#!/usr/bin/env bash
# Create .venv and install requirements.lock into it.
# Rasa 3.6 declares Python <3.11; the lock is resolved for 3.10 and also runs on 3.11, so it is
# installed without pip's resolver (--no-deps: every pin is already in the lock) and without the
# Python version check. Several pins need Python 3.10 or later, so 3.10 and 3.11 are the range.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

if ! command -v "$PYTHON" >/dev/null; then
  echo "error: $PYTHON not found. Install Python 3.10 or 3.11, or run: make PYTHON=/path/to/python3.11 ..." >&2
  exit 1
fi
version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$version" in
  3.10|3.11) ;;
  *) echo "error: Python $version is not supported by Rasa 3.6; use Python 3.10 or 3.11 (make PYTHON=python3.11 ...)" >&2; exit 1 ;;
esac

echo "Installing Lab Career Advisor's dependencies into .venv (Python $version; a few minutes the first time)..."
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
quiet() { grep -v "is ignored: it is neither a file nor a directory" || true; }
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.2" 2>&1 | quiet
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  --no-deps --ignore-requires-python -r requirements.lock 2>&1 | quiet
echo "Installed."
