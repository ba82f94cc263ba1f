"""Load generators for `make bench`, over REST on loopback, each bounded in time and count.

- `closed_loop`: N users at once, each sending its next message as soon as it has the reply (no
  think time): the most turns per second a server gives, and how it compares with a peer.
- `open_loop`: students arriving at random, as on a school's website: each sends a message every
  THINK_SECONDS on average (exponential gaps), holds a conversation of realistic length and is
  then replaced by a new student. Latency runs from the moment a message was due, so a server
  that falls behind is charged for the wait (no coordinated omission).
- `capacity`: the most concurrent students an open loop serves within a p95 bound and no errors.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
import urllib.error
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from stack.launcher import say

THINK_SECONDS = 15.0  # a student reads the answer and types the next question
CONVERSATION_TURNS = (4, 16)  # a conversation's length, uniformly (8-10 turns on average)
TURNS_PER_CONVERSATION = 25  # closed loop: a long student conversation
REPLY_TIMEOUT = 30.0  # a reply slower than this is an error
MAX_IN_FLIGHT = 256  # client threads: far more than a healthy server ever has waiting
# An open loop stops sending once this many messages wait at once: the server is far behind, the
# run has failed, and draining thousands more would only make the benchmark slow. What was not
# sent counts as errors.
GIVE_UP_WAITING = 100

Answered = Callable[[List[Dict[str, object]]], bool]


def has_text(replies: List[Dict[str, object]]) -> bool:
    return any(r.get("text") for r in replies)


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def timed_turn(rasa_url: str, message: str, sender: str, answered: Answered = has_text) -> Tuple[float, bool]:
    start = time.perf_counter()
    try:
        ok = answered(say(rasa_url, message, sender))
    except (urllib.error.URLError, OSError, ValueError):
        ok = False
    return (time.perf_counter() - start) * 1000, ok


def summary(latencies: List[float], errors: int, elapsed: float) -> Dict[str, float]:
    return {
        "turns": float(len(latencies)),
        "errors": float(errors),
        "throughput": len(latencies) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
    }


def closed_loop(
    rasa_url: str, users: int, turns_per_user: int, messages: List[str], answered: Answered = has_text
) -> Dict[str, float]:
    """`users` clients at once, no think time, in conversations of TURNS_PER_CONVERSATION turns."""
    latencies: List[float] = []
    errors = 0
    guard = threading.Lock()

    def one_user(user: int) -> None:
        nonlocal errors
        sender = ""
        for turn in range(turns_per_user):
            if turn % TURNS_PER_CONVERSATION == 0:
                sender = f"bench-{uuid.uuid4().hex[:8]}"
            ms, ok = timed_turn(rasa_url, messages[(user * 7 + turn) % len(messages)], sender, answered)
            with guard:
                latencies.append(ms)
                errors += 0 if ok else 1

    start = time.perf_counter()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(one_user, range(users)))
    return summary(latencies, errors, time.perf_counter() - start)


@dataclass(frozen=True)
class Due:
    at: float  # seconds from the start of the run
    sender: str
    message: str


def open_loop_schedule(students: int, seconds: float, messages: List[str], seed: int = 0) -> List[Due]:
    """Every message the students send in `seconds`, in time order: each student slot starts at a
    random moment within its first gap, sends at exponential gaps of THINK_SECONDS on average, and
    after a conversation of CONVERSATION_TURNS turns is taken by a new student."""
    rng = random.Random(seed)
    due: List[Due] = []
    for slot in range(students):
        at = rng.uniform(0, THINK_SECONDS)
        while at < seconds:
            sender, turns = f"student-{slot}-{uuid.uuid4().hex[:6]}", rng.randint(*CONVERSATION_TURNS)
            first = rng.randrange(len(messages))
            for turn in range(turns):
                if at >= seconds:
                    break
                due.append(Due(at, sender, messages[(first + turn) % len(messages)]))
                at += rng.expovariate(1 / THINK_SECONDS)
    return sorted(due, key=lambda d: d.at)


def open_loop(
    rasa_urls: List[str], students: int, seconds: float, messages: List[str], seed: int = 0
) -> Dict[str, float]:
    """Run one open-loop schedule against the servers (a student's messages all go to one server,
    as a load balancer with sticky sessions would send them) and summarise its latencies."""
    schedule = open_loop_schedule(students, seconds, messages, seed)
    latencies: List[float] = []
    errors = 0
    waiting = 0
    guard = threading.Lock()

    def send(due: Due, start: float) -> None:
        nonlocal errors, waiting
        url = rasa_urls[hash(due.sender) % len(rasa_urls)]
        try:
            ok = has_text(say(url, due.message, due.sender))
        except (urllib.error.URLError, OSError, ValueError):
            ok = False
        waited = (time.perf_counter() - start - due.at) * 1000  # from when it was due
        with guard:
            latencies.append(waited)
            errors += 0 if ok and waited <= REPLY_TIMEOUT * 1000 else 1
            waiting -= 1

    start = time.perf_counter()
    unsent = 0
    with ThreadPoolExecutor(MAX_IN_FLIGHT) as pool:
        for sent, due in enumerate(schedule):
            delay = start + due.at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            with guard:
                if waiting >= GIVE_UP_WAITING:
                    unsent = len(schedule) - sent
                    break
                waiting += 1
            pool.submit(send, due, start)
    result = summary(latencies, errors + unsent, seconds)
    result["unsent"] = float(unsent)
    result["students"] = float(students)
    result["offered per s"] = len(schedule) / seconds
    return result


def capacity(
    rasa_urls: List[str],
    messages: List[str],
    p95_ms: float,
    seconds: float,
    first: int = 150,
    most: int = 2400,
    log: Optional[Callable[[str], None]] = None,
) -> Tuple[int, List[Dict[str, float]]]:
    """The most concurrent students served with p95 <= p95_ms and no errors: doubling from `first`
    until a run fails (or `most`), then halving the gap twice. Returns it and every run."""
    runs: List[Dict[str, float]] = []

    def passes(students: int) -> bool:
        result = open_loop(rasa_urls, students, seconds, messages, seed=students)
        runs.append(result)
        ok = result["errors"] == 0 and result["p95"] <= p95_ms
        if log:
            log(
                f"  {students} students: {result['offered per s']:.1f} messages/s, p50 {result['p50']:.0f} ms, "
                f"p95 {result['p95']:.0f} ms, {result['errors']:.0f} errors: {'ok' if ok else 'over'}"
            )
        return ok

    good, bad = 0, 0
    students = first
    while students <= most:
        if not passes(students):
            bad = students
            break
        good, students = students, students * 2
    for _ in range(2):
        if not bad or bad - good <= first // 2:
            break
        middle = (good + bad) // 2
        if passes(middle):
            good = middle
        else:
            bad = middle
    return good, runs
