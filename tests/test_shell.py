"""`make shell` (python -m stack shell) for counselors, in a real terminal (a pseudo-terminal, as
rasa shell needs one): it opens with the short banner, not third-party warnings, and an answer
shows its sources' URLs."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from stack.__main__ import SHELL_BANNER
from stack.launcher import port_in_use
from tests.servers import PROJECT_ROOT, free_port, server_env

pytestmark = pytest.mark.integration

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-B0-9]|\r")


def read_until(fd: int, wanted: str, seen: list, timeout: float = 120) -> str:
    """What the terminal showed (ANSI codes removed) until `wanted` appears."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = ANSI.sub("", b"".join(seen).decode("utf-8", "replace"))
        if wanted in text:
            return text
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen.append(os.read(fd, 65536))
            except OSError:  # the shell exited
                break
    raise AssertionError(f"{wanted!r} never appeared; the terminal showed:\n{text[-3000:]}")


def test_the_shell_opens_with_a_banner_and_answers_with_source_links(model_path: Path, tmp_path: Path) -> None:
    rasa_port, actions_port = free_port(), free_port()
    env = server_env(
        LAB_ADVISOR_RASA_PORT=str(rasa_port),
        LAB_ADVISOR_ACTIONS_URL=f"http://127.0.0.1:{actions_port}/webhook",
        LAB_ADVISOR_DB_URL=f"sqlite:///{tmp_path / 'conversations.db'}",
    )
    env.update(TERM="xterm")
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))  # wide: links on one line
    shell = subprocess.Popen(
        [sys.executable, "-m", "stack", "shell"],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    seen: list = []
    try:
        opening = read_until(controller, "Your input", seen)
        assert SHELL_BANNER.strip().splitlines()[0] in opening
        assert not re.search(r"Warning|warn\(|Traceback", opening), opening
        os.write(controller, b"how much does a lab tech make?\r")
        answer = read_until(controller, "(Use arrow keys)", seen).replace("\n", "")  # the buttons; lines wrap
        assert "$60,780" in answer  # the answer, with its source's link in full
        assert "(https://www.bls.gov/ooh/healthcare/clinical-laboratory-technologists-and-technicians.htm)" in answer
        shell.send_signal(signal.SIGINT)  # Ctrl-C: the launcher stops rasa shell and the action server
        shell.wait(timeout=60)
        assert not port_in_use(rasa_port) and not port_in_use(actions_port), "a server was left running"
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
        os.close(controller)
