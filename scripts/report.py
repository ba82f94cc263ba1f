"""What students ask, for counselors and for whoever keeps the knowledge file (`make report`).

    python -m scripts.report [--days 7 | --since 2026-11-01 --until 2026-11-30] [--csv DIR] [--out FILE]

Reads the tracker store (LAB_ADVISOR_DB_URL: SQLite by default, PostgreSQL when configured) and
writes one self-contained HTML file (results/report.html: charts inline, opens offline) and a
short summary in the terminal: conversations and turns per day, the topics, careers and countries
asked about, the share of turns the bot could not answer or answered with a pointer, the median
conversation length, and the questions it could not answer, grouped by meaning (the sentence
encoder) with how many conversations asked each. `--csv DIR` writes the same tables as CSV.

Privacy: no sender id or anything personal appears. Student messages are stored redacted (the
tracker store replaces e-mail addresses, phone numbers and the like) and are redacted again here.
Nothing counted in fewer than MIN_CONVERSATIONS conversations is broken down: such topics,
careers or countries are summed as "other", such days are not shown on their own, and such
questions are counted, not quoted, so a single student cannot be picked out.

A conversation is one chat (one sender id) with at least one message from the student; the
greeting the widget sends on opening a chat (`/greet`) is not a student's message.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import load_knowledge
from bot.privacy import redact
from bot.reply_kinds import NOT_ANSWERED, POINTED, reply_kind
from bot.sentence_encoder import Vectors, shared_encoder
from stack.settings import PROJECT_ROOT
from stack.settings import current as current_settings

MIN_CONVERSATIONS = 5  # fewer than this many conversations: counted, never broken down
SAME_QUESTION = 0.70  # cosine similarity at which two unanswered questions count as one
AUTOMATIC_MESSAGES = {"/greet"}  # sent by the widget, not typed by a student
DEFAULT_OUT = PROJECT_ROOT / "results" / "report.html"
OTHER = "others (under 5 each)"


@dataclass
class Turn:
    """A student's message and what the bot made of it."""

    day: date
    text: str
    intent: str
    reply: str = ""

    @property
    def kind(self) -> str:
        return reply_kind(self.reply)


@dataclass
class Conversation:
    turns: List[Turn] = field(default_factory=list)
    topics: Set[str] = field(default_factory=set)
    careers: Set[str] = field(default_factory=set)
    countries: Set[str] = field(default_factory=set)


def read_conversations(db_url: str, since: datetime, until: datetime) -> List[Conversation]:
    """The conversations with a student message in [since, until), from Rasa's `events` table;
    sender ids are used to group events and then dropped."""
    engine = sa.create_engine(db_url)
    if not sa.inspect(engine).has_table("events"):  # nothing stored yet
        engine.dispose()
        return []
    query = sa.text(
        "SELECT sender_id, type_name, timestamp, data FROM events "
        "WHERE timestamp >= :since AND timestamp < :until ORDER BY sender_id, id"
    )
    by_sender: Dict[str, Conversation] = defaultdict(Conversation)
    with engine.connect() as connection:
        for sender, type_name, timestamp, data in connection.execute(
            query, {"since": since.timestamp(), "until": until.timestamp()}
        ):
            conversation = by_sender[sender]
            event = json.loads(data)
            if type_name == "user":
                text = str(event.get("text") or "")
                if text in AUTOMATIC_MESSAGES:
                    continue
                intent = str(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")
                day = datetime.fromtimestamp(float(timestamp), tz=timezone.utc).date()
                conversation.turns.append(Turn(day, redact(text), intent))
            elif type_name == "bot" and conversation.turns:
                last = conversation.turns[-1]
                last.reply = f"{last.reply}\n{event.get('text') or ''}".strip()
            elif type_name == "slot" and conversation.turns and event.get("value"):
                slot = {"topic": conversation.topics, "career": conversation.careers, "country": conversation.countries}
                if event.get("name") in slot:
                    slot[event["name"]].add(str(event["value"]))
    engine.dispose()
    return [c for c in by_sender.values() if c.turns]


@dataclass
class Report:
    since: date
    until: date  # inclusive
    conversations: int
    turns: int
    median_turns: float
    not_answered: float  # share of turns
    pointed: float
    per_day: List[Tuple[str, Optional[int], Optional[int]]]  # day, conversations active, turns (None: under 5)
    topics: List[Tuple[str, int]]
    careers: List[Tuple[str, int]]
    countries: List[Tuple[str, int]]
    unanswered: List[Tuple[str, int]]  # a question as asked, in how many conversations
    unanswered_rare: int  # questions asked in fewer than MIN_CONVERSATIONS conversations


def breakdown(counts: Counter[str]) -> List[Tuple[str, int]]:
    """Counts by name, largest first, with those under MIN_CONVERSATIONS summed as "other"."""
    shown = [(name, n) for name, n in counts.most_common() if n >= MIN_CONVERSATIONS]
    rest = sum(n for n in counts.values() if n < MIN_CONVERSATIONS)
    return shown + ([(OTHER, rest)] if rest else [])


def group_questions(asked: Sequence[Tuple[str, int]]) -> List[Tuple[str, Set[int]]]:
    """Questions (text, conversation number) grouped by meaning: each joins the first group whose
    first question it is close to; a group is shown by its most common wording."""
    if not asked:
        return []
    vectors = shared_encoder().encode([text for text, _ in asked])
    groups: List[Tuple[Vectors, List[str], Set[int]]] = []
    for (text, conversation), vector in zip(asked, vectors, strict=True):
        for head, texts, conversations in groups:
            if float(head @ vector) >= SAME_QUESTION:
                texts.append(text)
                conversations.add(conversation)
                break
        else:
            groups.append((vector, [text], {conversation}))
    return [(Counter(texts).most_common(1)[0][0], conversations) for _, texts, conversations in groups]


class Names:
    """What the knowledge file calls a topic, career or country id (the id itself if it no longer has it)."""

    def __init__(self) -> None:
        self.kb = load_knowledge()

    def topic(self, topic_id: str) -> str:
        return self.kb.topic(topic_id).title if topic_id in {t.id for t in self.kb.topics()} else topic_id

    def career(self, career_id: str) -> str:
        return self.kb.career(career_id).name if career_id in self.kb.career_ids() else career_id

    def country(self, country_id: str) -> str:
        return self.kb.country(country_id).name if country_id in self.kb.country_ids() else country_id


def build_report(conversations: List[Conversation], since: date, until: date) -> Report:
    names = Names()
    turns = [turn for c in conversations for turn in c.turns]
    active: Dict[date, Set[int]] = defaultdict(set)  # the conversations with a message that day
    for number, c in enumerate(conversations):
        for turn in c.turns:
            active[turn.day].add(number)
    per_day_turns = Counter(turn.day for turn in turns)
    per_day: List[Tuple[str, Optional[int], Optional[int]]] = []
    day = since
    while day <= until:
        n = len(active.get(day, ()))
        small = 0 < n < MIN_CONVERSATIONS
        per_day.append((day.isoformat(), None if small else n, None if small else per_day_turns.get(day, 0)))
        day += timedelta(days=1)
    unanswered = [
        (turn.text, number)
        for number, c in enumerate(conversations)
        for turn in c.turns
        if turn.kind in NOT_ANSWERED | POINTED and not turn.text.startswith("/")
    ]
    groups = sorted(group_questions(unanswered), key=lambda g: -len(g[1]))
    shown = [(text, len(conversations_)) for text, conversations_ in groups if len(conversations_) >= MIN_CONVERSATIONS]
    return Report(
        since=since,
        until=until,
        conversations=len(conversations),
        turns=len(turns),
        median_turns=statistics.median([len(c.turns) for c in conversations]) if conversations else 0.0,
        not_answered=sum(t.kind in NOT_ANSWERED for t in turns) / len(turns) if turns else 0.0,
        pointed=sum(t.kind in POINTED for t in turns) / len(turns) if turns else 0.0,
        per_day=per_day,
        topics=breakdown(Counter(names.topic(topic) for c in conversations for topic in c.topics)),
        careers=breakdown(Counter(names.career(career) for c in conversations for career in c.careers)),
        countries=breakdown(Counter(names.country(country) for c in conversations for country in c.countries)),
        unanswered=shown,
        unanswered_rare=sum(1 for _, conversations_ in groups if len(conversations_) < MIN_CONVERSATIONS),
    )


def summary(report: Report) -> str:
    lines = [
        f"Lab Career Advisor, {report.since} to {report.until}",
        f"  conversations: {report.conversations}; student messages: {report.turns}; "
        f"median {report.median_turns:g} messages per conversation",
        f"  could not answer: {100 * report.not_answered:.0f}% of messages; "
        f"answered with a pointer (no sourced answer): {100 * report.pointed:.0f}%",
        f"  most asked: {', '.join(name for name, _ in report.topics[:3]) or 'n/a'}",
        f"  unanswered questions asked in {MIN_CONVERSATIONS}+ conversations: {len(report.unanswered)}"
        f" (and {report.unanswered_rare} asked in fewer, not listed)",
    ]
    return "\n".join(lines)


def bar_chart(rows: Sequence[Tuple[str, Optional[int]]], title: str, unit: str) -> str:
    """A horizontal bar chart as inline SVG (no script, no external file)."""
    if not rows:
        return f"<p>No {unit} in this period.</p>"
    top = max((n or 0) for _, n in rows) or 1
    row_height, bar_width = 24, 360
    label_width = 16 + 8 * max(len(label) for label, _ in rows)  # 13px text: under 8px a character
    height = row_height * len(rows) + 8
    parts = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="{label_width + bar_width + 80}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, n) in enumerate(rows):
        y = i * row_height + 4
        width = 0 if n is None else max(2, round(bar_width * n / top))
        shown = "fewer than 5" if n is None else str(n)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="{row_height - 8}" fill="#1f5f99"/>'
            f'<text x="{label_width + width + 6}" y="{y + 16}">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('fewer than 5' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: Report) -> str:
    period = f"{report.since} to {report.until}"
    days = [(day, n) for day, n, _ in report.per_day]
    day_turns = [(day, t) for day, _, t in report.per_day]
    unanswered = (
        table(["Question (as a student asked it, redacted)", "Conversations"], report.unanswered)
        if report.unanswered
        else f"<p>No question went unanswered in {MIN_CONVERSATIONS} or more conversations.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lab Career Advisor report, {period}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; color: #1b2733; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
h1 {{ font-size: 1.5rem; }} h2 {{ font-size: 1.15rem; margin-top: 2rem; }}
.figures {{ display: flex; flex-wrap: wrap; gap: 1rem; padding: 0; list-style: none; }}
.figures li {{ border: 1px solid #c9d3df; border-radius: 8px; padding: 0.75rem 1rem; min-width: 10rem; }}
.figures strong {{ display: block; font-size: 1.4rem; }}
svg text {{ font-size: 13px; fill: #1b2733; }}
table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #c9d3df; padding: 0.3rem 0.6rem; text-align: left; }}
.note {{ color: #4a5a6a; font-size: 0.9rem; }}
</style></head><body>
<h1>What students asked Lab Career Advisor, {period}</h1>
<p class="note">No sender id or personal detail is shown; anything counted in fewer than {MIN_CONVERSATIONS}
conversations is not broken down, so no single student can be picked out.</p>
<ul class="figures">
<li><strong>{report.conversations}</strong> conversations</li>
<li><strong>{report.turns}</strong> student messages</li>
<li><strong>{report.median_turns:g}</strong> messages in a median conversation</li>
<li><strong>{100 * report.not_answered:.0f}%</strong> of messages not answered</li>
<li><strong>{100 * report.pointed:.0f}%</strong> answered with a pointer (no sourced answer)</li>
</ul>
<h2>Conversations per day (with a student message that day)</h2>
{bar_chart(days, "Conversations per day", "conversations")}
<h2>Student messages per day</h2>{bar_chart(day_turns, "Student messages per day", "messages")}
<h2>Topics asked about (conversations)</h2>{bar_chart(report.topics, "Topics asked about", "topics")}
<h2>Careers asked about (conversations)</h2>{bar_chart(report.careers, "Careers asked about", "careers")}
<h2>Countries asked about (conversations)</h2>{bar_chart(report.countries, "Countries asked about", "countries")}
<h2>Questions it could not answer</h2>
<p class="note">Grouped by meaning. This is the to-do list for the knowledge file: add a sourced fact that
answers each (bot/knowledge/careers.yml). {report.unanswered_rare} more were asked in fewer than
{MIN_CONVERSATIONS} conversations each and are not listed.</p>
{unanswered}
</body></html>
"""


def write_csv(report: Report, folder: Path) -> List[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    tables: Dict[str, Tuple[List[str], Sequence[Sequence[object]]]] = {
        "summary": (
            ["since", "until", "conversations", "messages", "median messages", "not answered", "pointer"],
            [
                [
                    report.since,
                    report.until,
                    report.conversations,
                    report.turns,
                    report.median_turns,
                    f"{report.not_answered:.4f}",
                    f"{report.pointed:.4f}",
                ]
            ],
        ),
        "per_day": (["day", "conversations", "messages"], report.per_day),
        "topics": (["topic", "conversations"], report.topics),
        "careers": (["career", "conversations"], report.careers),
        "countries": (["country", "conversations"], report.countries),
        "unanswered": (["question", "conversations"], report.unanswered),
    }
    written = []
    for name, (headers, rows) in tables.items():
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(headers)
            writer.writerows([["fewer than 5" if v is None else v for v in row] for row in rows])
        written.append(path)
    return written


def period(args: argparse.Namespace, today: date) -> Tuple[date, date]:
    until = date.fromisoformat(args.until) if args.until else today
    since = date.fromisoformat(args.since) if args.since else until - timedelta(days=args.days - 1)
    if since > until:
        raise SystemExit(f"--since {since} is after --until {until}.")
    return since, until


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7, help="the last N days up to --until (default 7)")
    parser.add_argument("--since", help="first day, YYYY-MM-DD")
    parser.add_argument("--until", help="last day, YYYY-MM-DD (default today)")
    parser.add_argument("--db", help="the tracker store's URL (default LAB_ADVISOR_DB_URL)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the HTML file to write")
    parser.add_argument("--csv", type=Path, help="also write the tables as CSV files into this folder")
    args = parser.parse_args(argv)
    since, until = period(args, datetime.now(timezone.utc).date())
    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.utc)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    db_url = args.db or current_settings().db_url
    try:
        conversations = read_conversations(db_url, start, end)
    except sa.exc.OperationalError as error:
        raise SystemExit(f"Cannot read conversations from {db_url}: {error.orig}") from None
    report = build_report(conversations, since, until)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_html(report), encoding="utf-8")
    print(summary(report))
    print(f"\nWrote {args.out}")
    if args.csv:
        for path in write_csv(report, args.csv):
            print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
