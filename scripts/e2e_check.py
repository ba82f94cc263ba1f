"""End-to-end answer check: ask every question in tests/e2e/questions.yml of the running bot over
REST, one fresh conversation each, and print % correct per topic and overall (`make eval`).

    python -m scripts.e2e_check                # starts the action and Rasa servers itself
    python -m scripts.e2e_check --url http://127.0.0.1:5005 --floor 0.9

An item is one question or a short conversation; it is correct when every turn's reply contains
all of its `expect` phrases (case-insensitive; a list inside `expect` means any one of those) and
none of its `forbid` phrases. `fallback: true` expects the "I can't help with that" reply.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

import yaml

from stack.launcher import PROJECT_ROOT, bot_to_ask

QUESTIONS = PROJECT_ROOT / "tests" / "e2e" / "questions.yml"
FALLBACK_PHRASES = ["outside what I know", "didn't get that"]
Expectation = Union[str, List[str]]


@dataclass
class Turn:
    say: str
    expect: List[Expectation] = field(default_factory=list)
    forbid: List[str] = field(default_factory=list)


@dataclass
class Item:
    topic: str
    turns: List[Turn]

    @property
    def label(self) -> str:
        return " / ".join(t.say for t in self.turns)


def load_items(path: Path = QUESTIONS) -> List[Item]:
    items = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
        turns_raw = raw.get("turns") or [{k: raw[k] for k in ("say", "expect", "forbid", "fallback") if k in raw}]
        turns = []
        for t in turns_raw:
            expect = list(t.get("expect", []))
            forbid = list(t.get("forbid", []))
            if t.get("fallback"):
                expect.append(FALLBACK_PHRASES)
                forbid.append("$")
            turns.append(Turn(say=str(t["say"]), expect=expect, forbid=forbid))
        items.append(Item(topic=raw["topic"], turns=turns))
    return items


def check_reply(turn: Turn, reply: str) -> Optional[str]:
    """None when the reply is correct, else what is wrong."""
    text = reply.lower()
    if not text.strip():
        return "no reply"
    for expected in turn.expect:
        options = expected if isinstance(expected, list) else [expected]
        if not any(o.lower() in text for o in options):
            return f"missing {' or '.join(repr(o) for o in options)}"
    for forbidden in turn.forbid:
        if forbidden.lower() in text:
            return f"contains {forbidden!r}"
    return None


def run(items: List[Item], say: Callable[[str, str], List[Dict[str, Any]]]) -> Dict[str, Any]:
    by_topic: Dict[str, List[bool]] = defaultdict(list)
    failures = []
    for item in items:
        sender = f"e2e-{uuid.uuid4().hex[:10]}"
        problem = None
        for turn in item.turns:
            replies = say(turn.say, sender)
            reply = "\n".join(r.get("text", "") for r in replies)
            problem = check_reply(turn, reply)
            if problem:
                failures.append(f"[{item.topic}] {turn.say!r}: {problem}\n      reply: {reply[:300]!r}")
                break
        by_topic[item.topic].append(problem is None)
    correct = sum(sum(v) for v in by_topic.values())
    return {"by_topic": by_topic, "failures": failures, "correct": correct, "total": len(items)}


def report(result: Dict[str, Any], show_failures: bool = True) -> str:
    lines = [f"{'topic':<28}{'correct':>10}{'%':>8}"]
    for topic in sorted(result["by_topic"]):
        marks = result["by_topic"][topic]
        lines.append(f"{topic:<28}{sum(marks):>5}/{len(marks):<4}{100 * sum(marks) / len(marks):>8.1f}")
    overall = result["correct"] / result["total"]
    lines.append(f"{'overall':<28}{result['correct']:>5}/{result['total']:<4}{100 * overall:>8.1f}")
    if show_failures and result["failures"]:
        lines.append("\nIncorrect:")
        lines.extend(f"  {f}" for f in result["failures"])
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running Rasa server (default: start one)")
    parser.add_argument("--floor", type=float, default=0.0, help="exit 1 under this share correct")
    args = parser.parse_args(argv)
    items = load_items()

    with bot_to_ask(args.url) as ask:
        result = run(items, ask)
    print(f"End-to-end answer check: {len(items)} items from {QUESTIONS.name}\n")
    print(report(result))
    overall = result["correct"] / result["total"]
    print(f"\nOverall: {100 * overall:.1f}% correct")
    return 0 if overall >= args.floor else 1


if __name__ == "__main__":
    sys.exit(main())
