"""Write standard input to a log file that rotates by size and that only its owner can read.

    some-server 2>&1 | python scripts/rotating_log.py logs/rasa.log [--max-bytes N] [--backups K]

`make run` sends each server's output here (scripts/serve.sh): logs/ is created owner-only (0700)
and each file 0600, because a log can hold what students typed; when a file reaches --max-bytes
(default 10 MB) it becomes .1 (then .2, ... up to --backups, default 5) and a new file is started,
so logs never fill the disk.
"""

from __future__ import annotations

import argparse
import logging.handlers
import os
import sys
from pathlib import Path


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are created 0600."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)
        return os.fdopen(fd, self.mode.replace("w", "a"), encoding=self.encoding, errors=self.errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--max-bytes", type=int, default=10 * 1024 * 1024)
    parser.add_argument("--backups", type=int, default=5)
    args = parser.parse_args()
    args.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(args.path.parent, 0o700)
    handler = PrivateRotatingFileHandler(
        args.path, maxBytes=args.max_bytes, backupCount=args.backups, encoding="utf-8", errors="replace"
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    for line in sys.stdin:
        handler.emit(logging.makeLogRecord({"msg": line.rstrip("\n")}))
    handler.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
