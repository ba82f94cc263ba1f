"""Put the real questions people posted (tests/e2e/real_questions.yml) to the bot, as written, and
print what kind of reply each theme gets (`make eval`).

    python -m scripts.real_questions [--url http://127.0.0.1:5005] [--show fallback]

This is the baseline for issue 13: the facts a direct answer must contain are not written yet, so a
topic answer here is not yet a *direct* answer; what it measures is how often a real question gets
no answer at all (not understood, out of scope, declined, nothing sourced) against a topic answer.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from stack.launcher import PROJECT_ROOT, Ask, bot_to_ask

QUESTIONS = PROJECT_ROOT / "tests" / "e2e" / "real_questions.yml"
KINDS = [  # the first phrase a reply contains names its kind
    ("not understood", "didn't get that"),
    ("out of scope", "I only answer questions about"),
    ("declined: other job", "is outside what I know"),
    ("nothing sourced", "I don't have sourced information"),
    ("try again", "can't look that up right now"),
    ("comparison", " vs "),
    ("topic answer", "About "),
    ("menu", "I can tell you about"),
]


def reply_kind(reply: str) -> str:
    return next((kind for kind, phrase in KINDS if phrase in reply), "other")


def load(path: Path = QUESTIONS) -> List[Dict[str, Any]]:
    questions: List[Dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return questions


def run(questions: List[Dict[str, Any]], ask: Ask) -> Dict[str, Counter[str]]:
    by_theme: Dict[str, Counter[str]] = defaultdict(Counter)
    for item in questions:
        reply = "\n".join(r.get("text", "") for r in ask(item["question"], f"real-{uuid.uuid4().hex[:10]}"))
        item["reply_kind"] = reply_kind(reply)
        by_theme[item["theme"]][item["reply_kind"]] += 1
    return by_theme


def report(by_theme: Dict[str, Counter[str]]) -> str:
    kinds = [kind for kind, _ in KINDS] + ["other"]
    total: Counter[str] = sum(by_theme.values(), Counter())
    lines = [f"{'theme':<24}{'n':>4}  {'topic answer':>12}  {'no answer':>9}", "-" * 54]
    for theme, counts in sorted(by_theme.items()) + [("overall", total)]:
        n = sum(counts.values())
        answered = counts["topic answer"] + counts["comparison"]
        lines.append(f"{theme:<24}{n:>4}  {100 * answered / n:>11.0f}%  {100 * (n - answered) / n:>8.0f}%")
    lines += ["", "Replies by kind: " + ", ".join(f"{k} {total[k]}" for k in kinds if total[k])]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running Rasa server (default: start one)")
    parser.add_argument("--show", help="list the questions that got this kind of reply")
    args = parser.parse_args(argv)
    questions = load()
    with bot_to_ask(args.url) as ask:
        by_theme = run(questions, ask)
    print(f"Real questions: {len(questions)} from {QUESTIONS.name}, as their askers wrote them\n")
    print(report(by_theme))
    if args.show:
        print(f"\nGot {args.show!r}:")
        print("\n".join(f"  [{q['theme']}] {q['question'][:140]}" for q in questions if q["reply_kind"] == args.show))
    return 0


if __name__ == "__main__":
    sys.exit(main())
