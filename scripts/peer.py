"""The peer `make bench` measures this assistant against: a stock Rasa bot, as `rasa init` makes it
(its example data, default pipeline and policies, the same Rasa version), trained in a temporary
folder and served over REST on loopback with Rasa's defaults (an in-memory tracker store, no
action server). Both are loaded in the same run, so the ratio holds for that machine and moment.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

from stack.launcher import RASA, background, child_env, free_port, wait_until_up
from stack.settings import Settings


def stock_env() -> Dict[str, str]:
    return child_env(Settings.from_env({}))


def train_stock_bot(folder: Path) -> Tuple[Path, float]:
    """`rasa init --no-prompt` in `folder` (it writes the example project and trains it); the
    model and the seconds it took."""
    start = time.perf_counter()
    subprocess.run(
        [RASA, "init", "--no-prompt", "--init-dir", str(folder)],
        cwd=folder,
        env=stock_env(),
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    models = sorted((folder / "models").glob("*.tar.gz"))
    if not models:
        raise SystemExit(f"`rasa init` trained no model in {folder / 'models'}")
    return models[-1], time.perf_counter() - start


@contextlib.contextmanager
def stock_rasa(folder: Path) -> Iterator[Tuple[str, subprocess.Popen[bytes], float]]:
    """A trained stock bot served on a free loopback port: its URL, its process, training seconds."""
    model, trained = train_stock_bot(folder)
    port = free_port()
    command: List[str] = [RASA, "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1"]
    log = folder / "stock-rasa.log"
    with background(command, log, stock_env(), cwd=folder) as process:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, process, "stock Rasa server", log)
        yield url, process, trained


def answered_anything(replies: List[Dict[str, object]]) -> bool:
    """The stock bot answers off-topic questions with whatever its few intents say; any reply counts."""
    return isinstance(replies, list)
