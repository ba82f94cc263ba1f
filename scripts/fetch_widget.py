"""Install the widget's packages from the npm registry, pinned by web/package-lock.json, into
web/vendor/ (not committed). Run by `make web`.

    python scripts/fetch_widget.py

- deep-chat: the chat component the page serves (its self-contained bundle);
- axe-core: the accessibility checker the browser tests run against the page (never served).
Only one file of each is needed, so this takes the exact version and sha512 integrity the npm lock
records, downloads that tarball, refuses it if the checksum differs, and unpacks the file and its
licence. It needs Python only, not Node.js. To upgrade one, change its version in web/package.json,
run `npm install --package-lock-only` in web/, and `make web`.
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
# each package's files: where they are in its tarball -> their name in web/vendor/<package>/
PACKAGES = {
    "deep-chat": {"package/dist/deepChat.bundle.js": "deepChat.bundle.js", "package/LICENSE": "LICENSE"},
    "axe-core": {"package/axe.min.js": "axe.min.js", "package/LICENSE": "LICENSE"},
}


def locked(package: str) -> tuple:
    entry = json.loads(LOCK.read_text(encoding="utf-8"))["packages"][f"node_modules/{package}"]
    return entry["version"], entry["integrity"]


def main() -> int:
    return max(install(package, files) for package, files in PACKAGES.items())


def install(package: str, files: dict) -> int:
    version, integrity = locked(package)
    vendor = WEB / "vendor" / package
    stamp = vendor / ".integrity"
    if stamp.is_file() and stamp.read_text() == integrity and all((vendor / f).is_file() for f in files.values()):
        return 0
    registry = os.environ.get("npm_config_registry", "https://registry.npmjs.org").rstrip("/")  # noqa: SIM112 - npm's own name
    url = f"{registry}/{package}/-/{package}-{version}.tgz"
    print(f"Fetching {package} {version} from {registry} ...")
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    algorithm, expected = integrity.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        print(f"error: {url} does not match the integrity in {LOCK.name}; not installed.", file=sys.stderr)
        return 1
    vendor.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member, name in files.items():
            extracted = archive.extractfile(member)
            if extracted is None:
                print(f"error: {member} missing from {url}", file=sys.stderr)
                return 1
            (vendor / name).write_bytes(extracted.read())
    stamp.write_text(integrity)
    print(f"Installed {package} {version} into {vendor.relative_to(WEB.parent)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
