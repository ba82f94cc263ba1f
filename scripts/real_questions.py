"""Put the real questions people posted (bot/knowledge/real_questions.yml) to the bot, as written, and
print the direct-answer rate by theme (`make eval`).

    python -m scripts.real_questions [--set heldout] [--url http://127.0.0.1:5005] [--show missed] [--floor 80]

Two sets: `tuning` (bot/knowledge/real_questions.yml; the thresholds and the knowledge file's
`answers` were tuned on it, and the own-case detector learns from its labels) and `heldout`
(tests/e2e/real_questions_heldout.yml, collected afterwards and never tuned on: the honest figure
for questions nobody looked at). A held-out set whose misses were looked at joins the tuning set,
and a new one is collected.

Each question says what a direct answer must contain (`expect`: strings taken from the sources, all
of which the reply must contain), or, for one no sourced bot can answer (an opinion, one person's
situation), that the right reply is an honest pointer (`pointer`): the bot says it has no sourced
answer and does not give a topic's facts instead. A reply that does either is a direct answer.
With `--floor`, exits 1 when the overall rate is below it (the CI floor).
"""

from __future__ import annotations

import argparse
import re
import sys
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot.own_case import ASKED_FILE
from bot.reply_kinds import HONEST, KINDS, reply_kind
from stack.launcher import PROJECT_ROOT, Ask, bot_to_ask

QUESTIONS = ASKED_FILE  # the own-case detector (bot.own_case) learns from it too
SETS = {"tuning": QUESTIONS, "heldout": PROJECT_ROOT / "tests" / "e2e" / "real_questions_heldout.yml"}


def is_direct(item: Dict[str, Any], reply: str) -> bool:
    """Whether a reply answers the question: it contains every expected fact, or, for a question
    only a pointer can answer, it is an honest "I don't have that" (never a topic's facts)."""
    if "expect" in item:
        said = _comparable(reply)
        return all(_starts_a_word_in(_comparable(expected), said) for expected in item["expect"])
    return reply_kind(reply) in HONEST


def _starts_a_word_in(expected: str, said: str) -> bool:
    """Whether `expected` is in `said` where a word starts: "5 percent" is not in "15 percent"."""
    return re.search(r"(?<![0-9a-z])" + re.escape(expected), said) is not None


def _comparable(text: str) -> str:
    """Text as compared: case, hyphens and spacing aside ("three-year" is "three year"), and a
    percent sign read as the word ("5%" is "5 percent")."""
    return " ".join(text.lower().replace("-", " ").replace("%", " percent ").split())


def load(path: Path = QUESTIONS) -> List[Dict[str, Any]]:
    questions: List[Dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return questions


def run(questions: List[Dict[str, Any]], ask: Ask) -> Dict[str, Counter[str]]:
    """Ask each question in a new conversation; count per theme how many got a direct answer."""
    by_theme: Dict[str, Counter[str]] = defaultdict(Counter)
    for item in questions:
        reply = "\n".join(r.get("text", "") for r in ask(item["question"], f"real-{uuid.uuid4().hex[:10]}"))
        item["reply"] = reply
        item["reply_kind"] = reply_kind(reply)
        item["direct"] = is_direct(item, reply)
        by_theme[item["theme"]]["direct" if item["direct"] else "missed"] += 1
        by_theme[item["theme"]][item["reply_kind"]] += 1
    return by_theme


def overall_rate(by_theme: Dict[str, Counter[str]]) -> float:
    total: Counter[str] = sum(by_theme.values(), Counter())
    return 100 * total["direct"] / max(1, total["direct"] + total["missed"])


def report(by_theme: Dict[str, Counter[str]]) -> str:
    kinds = [kind for kind, _ in KINDS] + ["other"]
    total: Counter[str] = sum(by_theme.values(), Counter())
    lines = [f"{'theme':<24}{'n':>4}  {'direct answer':>13}  {'of n':>5}", "-" * 50]
    for theme, counts in sorted(by_theme.items()) + [("overall", total)]:
        n = counts["direct"] + counts["missed"]
        lines.append(f"{theme:<24}{n:>4}  {100 * counts['direct'] / n:>12.1f}%  {counts['direct']:>5}")
    lines += ["", "Replies by kind: " + ", ".join(f"{k} {total[k]}" for k in kinds if total[k])]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="tuning", help="which set of real questions")
    parser.add_argument("--url", help="a running Rasa server (default: start one)")
    parser.add_argument("--show", help="list the questions that got this kind of reply, or 'missed'")
    parser.add_argument("--floor", type=float, help="exit 1 when the overall direct-answer %% is below this")
    args = parser.parse_args(argv)
    path = SETS[args.set]
    questions = load(path)
    with bot_to_ask(args.url) as ask:
        by_theme = run(questions, ask)
    print(f"Real questions ({args.set} set): {len(questions)} from {path.name}, as their askers wrote them\n")
    print(report(by_theme))
    if args.show:
        shown = [q for q in questions if (not q["direct"] if args.show == "missed" else q["reply_kind"] == args.show)]
        print(f"\nGot {args.show!r}:")
        for q in shown:
            wanted = q.get("expect") or f"pointer ({q.get('pointer')})"
            print(f"  [{q['theme']}] {q['question'][:120]}\n     wanted {wanted}; got: {q['reply'][:160]!r}")
    rate = overall_rate(by_theme)
    if args.floor is not None and rate < args.floor:
        print(f"\nDirect answers {rate:.0f}% are below the floor of {args.floor:.0f}%.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
