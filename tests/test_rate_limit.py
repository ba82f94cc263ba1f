"""The per-sender turn limit, with a fake clock."""

from __future__ import annotations

from typing import List

import pytest

from addons.server.rate_limit import SenderRateLimiter
from stack.settings import SettingError, Settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_sender_over_the_limit_waits_until_its_oldest_turn_leaves_the_window() -> None:
    clock = FakeClock()
    limiter = SenderRateLimiter(3, clock)
    waits: List[object] = []
    for _ in range(3):
        waits.append(limiter.wait_seconds("a"))
        clock.now += 10
    assert waits == [None, None, None]
    assert limiter.wait_seconds("a") == 30  # first turn at 1000, now 1030: free again at 1060
    assert limiter.wait_seconds("b") is None  # other senders are not affected
    clock.now = 1060.0
    assert limiter.wait_seconds("a") is None


def test_refused_turns_are_not_counted() -> None:
    clock = FakeClock()
    limiter = SenderRateLimiter(1, clock)
    assert limiter.wait_seconds("a") is None
    for _ in range(5):
        clock.now += 5
        assert limiter.wait_seconds("a") is not None
    clock.now = 1060.0
    assert limiter.wait_seconds("a") is None


def test_zero_turns_off_the_limit() -> None:
    limiter = SenderRateLimiter(0, FakeClock())
    assert all(limiter.wait_seconds("a") is None for _ in range(1000))


def test_senders_gone_quiet_are_forgotten() -> None:
    clock = FakeClock()
    limiter = SenderRateLimiter(5, clock)
    for index in range(100):
        limiter.wait_seconds(f"student-{index}")
    clock.now += 121
    limiter.wait_seconds("latest")
    assert limiter.senders_tracked() == 1


def test_the_setting_defaults_to_30_and_is_checked() -> None:
    assert Settings.from_env({}).rate_limit == 30
    assert Settings.from_env({"LAB_ADVISOR_RATE_LIMIT": "0"}).rate_limit == 0
    with pytest.raises(SettingError, match="LAB_ADVISOR_RATE_LIMIT"):
        Settings.from_env({"LAB_ADVISOR_RATE_LIMIT": "lots"})
