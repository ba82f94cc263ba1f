"""How many turns a sender may take per minute, so that one client cannot make the bot slow for
everyone (LAB_ADVISOR_RATE_LIMIT, turns per minute per sender, default 30; 0 turns it off).

A sliding window per sender, in the memory of one Rasa server: with several servers behind a load
balancer each counts its own share, and a limit per address belongs in the proxy in front of them
(a whole school can share one address; see the README's deployment section). Plain Python, so it is
unit-tested with a fake clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable, Deque, Dict, Optional

WINDOW_SECONDS = 60.0


class SenderRateLimiter:
    """At most `turns_per_minute` turns per sender in any 60 s; 0 means no limit."""

    def __init__(self, turns_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.turns_per_minute = turns_per_minute
        self._clock = clock
        self._turns: Dict[str, Deque[float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = clock() + WINDOW_SECONDS

    def wait_seconds(self, sender: str) -> Optional[int]:
        """None, and the turn is counted, if `sender` may take a turn now; otherwise the whole
        number of seconds until it may (for a Retry-After header), and nothing is counted."""
        if self.turns_per_minute <= 0:
            return None
        now = self._clock()
        with self._lock:
            self._sweep(now)
            turns = self._turns.setdefault(sender, deque())
            while turns and turns[0] <= now - WINDOW_SECONDS:
                turns.popleft()
            if len(turns) >= self.turns_per_minute:
                return max(1, math.ceil(turns[0] + WINDOW_SECONDS - now))
            turns.append(now)
            return None

    def _sweep(self, now: float) -> None:
        """Forget senders with no turn in the last minute (once a minute), so memory stays bounded
        by the senders of the last two minutes."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + WINDOW_SECONDS
        for sender in [s for s, turns in self._turns.items() if not turns or turns[-1] <= now - WINDOW_SECONDS]:
            del self._turns[sender]

    def senders_tracked(self) -> int:
        return len(self._turns)
