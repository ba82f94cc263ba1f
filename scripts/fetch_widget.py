"""Install the chat component (deep-chat) for the widget from the npm registry, pinned by
web/package-lock.json, into web/vendor/ (not committed). Run by `make web`.

    python scripts/fetch_widget.py

Only deep-chat's self-contained bundle is needed, so this takes the exact version and sha512
integrity the npm lock records, downloads that tarball, refuses it if the checksum differs, and
unpacks the bundle and its licence. It needs Python only, not Node.js. To upgrade deep-chat, change the
version in web/package.json, run `npm install --package-lock-only` in web/, and `make web`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"
LOCK = WEB / "package-lock.json"
VENDOR = WEB / "vendor" / "deep-chat"
FILES = {"package/dist/deepChat.bundle.js": "deepChat.bundle.js", "package/LICENSE": "LICENSE"}
PACKAGE = "deep-chat"


def locked() -> tuple:
    entry = json.loads(LOCK.read_text(encoding="utf-8"))["packages"][f"node_modules/{PACKAGE}"]
    return entry["version"], entry["integrity"]


def main() -> int:
    version, integrity = locked()
    stamp = VENDOR / ".integrity"
    if stamp.is_file() and stamp.read_text() == integrity and all((VENDOR / f).is_file() for f in FILES.values()):
        return 0
    registry = os.environ.get("npm_config_registry", "https://registry.npmjs.org").rstrip("/")  # noqa: SIM112 - npm's own name
    url = f"{registry}/{PACKAGE}/-/{PACKAGE}-{version}.tgz"
    print(f"Fetching {PACKAGE} {version} from {registry} ...")
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    algorithm, expected = integrity.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        print(f"error: {url} does not match the integrity in {LOCK.name}; not installed.", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member, name in FILES.items():
            extracted = archive.extractfile(member)
            if extracted is None:
                print(f"error: {member} missing from {url}", file=sys.stderr)
                return 1
            (VENDOR / name).write_bytes(extracted.read())
    stamp.write_text(integrity)
    print(f"Installed {PACKAGE} {version} into {VENDOR.relative_to(WEB.parent)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
