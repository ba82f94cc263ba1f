"""Server logs rotate by size and only their owner can read them (stack/logs.py)."""

from __future__ import annotations

import stat
from pathlib import Path

from stack.logs import write_lines


def test_logs_rotate_and_are_owner_only(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "rasa.log"
    lines = [f"line {n:04d} " + "x" * 80 + "\n" for n in range(1000)]  # about 90 KB
    write_lines(lines, log, max_bytes=20000, backups=2)
    files = sorted(p.name for p in log.parent.iterdir())
    assert files == ["rasa.log", "rasa.log.1", "rasa.log.2"]  # older ones dropped
    assert all(p.stat().st_size <= 20000 for p in log.parent.iterdir())
    assert "line 0999" in log.read_text()
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in log.parent.iterdir()} == {0o600}
