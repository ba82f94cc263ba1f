"""Where the servers' output goes: log files that rotate by size and that only their owner can
read (a log can hold what students typed). The launcher pumps each server's output into one.

When a file reaches MAX_BYTES it becomes .1 (then .2, ... up to BACKUPS) and a new one starts, so
logs never fill the disk.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import threading
from pathlib import Path
from typing import IO, Callable, Iterable, Optional

MAX_BYTES = 10 * 1024 * 1024
BACKUPS = 5


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are created 0600, in a folder created 0700."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", errors="replace")
        self.setFormatter(logging.Formatter("%(message)s"))

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)
        stream = os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)
        assert isinstance(stream, io.TextIOWrapper)
        return stream


def write_lines(lines: Iterable[str], path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
    """Write `lines` to the rotating log at `path`."""
    handler = PrivateRotatingFileHandler(path, max_bytes, backups)
    try:
        for line in lines:
            handler.emit(logging.makeLogRecord({"msg": line.rstrip("\n")}))
    finally:
        handler.close()


def pump(stream: IO[bytes], path: Path, also: Optional[Callable[[str], None]] = None) -> threading.Thread:
    """Copy a child process's output into the rotating log at `path` (and to `also`, line by
    line), in a thread that ends when the process closes its output."""

    def lines() -> Iterable[str]:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            if also is not None:
                also(line)
            yield line

    thread = threading.Thread(target=write_lines, args=(lines(), path), daemon=True, name=f"log {path.name}")
    thread.start()
    return thread
