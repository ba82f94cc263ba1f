"""The counselors' report (scripts/report.py, `make report`) on a seeded tracker store: the counts
put in come out, nothing personal and no sender id is shown, small counts are not broken down,
and the page opens in Chromium (a screenshot goes to results/report.png)."""

from __future__ import annotations

import asyncio
import csv
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.server.tracker_store import PrivateSQLTrackerStore
from bot.reply_kinds import reply_kind
from scripts import report
from stack.services import INITDB
from tests.servers import PROJECT_ROOT

POINTER = "I don't have a sourced answer to that exact question, so I won't guess. ..."
FALLBACK = "Sorry, I didn't get that. Could you ask in other words?"
SALARY = "About medical laboratory technicians in the US:\n\nThe median pay was $60,780 (May 2023)."
EXAM_HARD = [
    "is the ascp exam hard?",
    "is the ASCP exam hard",
    "is the ascp exam difficult?",
    "how hard is the ascp exam",
]


def at(day: int, hour: int = 12) -> float:
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc).timestamp()


def turn(day: int, text: str, intent: str, reply: str, minute: int = 0, **slots: str) -> List[Event]:
    time = at(day) + 60 * minute
    events: List[Event] = [UserUttered(text, intent={"name": intent, "confidence": 1.0}, timestamp=time)]
    events += [SlotSet(name, value, timestamp=time + 1) for name, value in slots.items()]
    return events + [BotUttered(reply, timestamp=time + 2)]


def seeded_conversations() -> List[List[Event]]:
    """A week: 6 salary chats on the 16th (3 going on to Canada), 5 exam-difficulty questions the
    bot had no sourced answer to on the 17th, 2 histotechnician chats on the 18th with a question
    it did not understand (one with an e-mail address in it)."""
    chats: List[List[Event]] = []
    for i in range(6):
        events = turn(16, "/greet", "greet", "Hi! I'm Lab Career Advisor.")  # the widget's, not the student's
        events += turn(
            16,
            "how much do lab techs make",
            "ask_salary",
            SALARY,
            1,
            topic="salary",
            career="medical_laboratory_technician",
        )
        if i < 3:
            events += turn(16, "and in canada?", "inform", "About ... in Canada", 2, country="canada")
        chats.append(events)
    for i in range(5):
        chats.append(turn(17, EXAM_HARD[i % len(EXAM_HARD)], "ask_certification", POINTER, topic="certification"))
    for text in ["do i need a lab coat at home? write me at sam@example.com", "lab coat at home?"]:
        events = turn(
            18,
            "what does a histotech do",
            "ask_duties",
            "About histotechnicians: ...",
            topic="duties",
            career="histotechnician",
        )
        chats.append(events + turn(18, text, "nlu_fallback", FALLBACK, 1))
    return chats


def seed(store: SQLTrackerStore, domain: Domain, prefix: str = "student-secret") -> None:
    for number, events in enumerate(seeded_conversations()):
        tracker = DialogueStateTracker.from_events(f"{prefix}-{number}", events, domain.slots)
        asyncio.run(store.save(tracker))


@pytest.fixture
def seeded_db(tmp_path: Path) -> str:
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    path = tmp_path / "conversations.db"
    seed(SQLTrackerStore(domain, dialect="sqlite", db=str(path)), domain)
    return f"sqlite:///{path}"


def week(db_url: str) -> report.Report:
    start, end = datetime(2026, 11, 16, tzinfo=timezone.utc), datetime(2026, 11, 23, tzinfo=timezone.utc)
    conversations = report.read_conversations(db_url, start, end)
    return report.build_report(conversations, start.date(), datetime(2026, 11, 22).date())


def test_the_seeded_counts_come_out(seeded_db: str) -> None:
    result = week(seeded_db)
    assert (result.conversations, result.turns) == (13, 6 + 3 + 5 + 4)  # /greet is not a student's
    assert result.median_turns == 1
    assert result.pointed == pytest.approx(5 / 18) and result.not_answered == pytest.approx(2 / 18)
    assert result.topics == [("Salary", 6), ("Certification", 5), (report.OTHER, 2)]  # as the knowledge file names them
    assert result.careers == [("medical laboratory technician", 6), (report.OTHER, 2)]
    assert result.countries == [(report.OTHER, 3)]  # 3 conversations: not broken down
    assert result.per_day[:3] == [("2026-11-16", 6, 9), ("2026-11-17", 5, 5), ("2026-11-18", None, None)]
    assert result.per_day[3:] == [(f"2026-11-{d}", 0, 0) for d in range(19, 23)]
    # the five ways of asking whether the exam is hard are one question; the two lab-coat ones are
    # from 2 conversations: counted, not quoted
    assert len(result.unanswered) == 1 and result.unanswered[0][1] == 5
    assert result.unanswered[0][0] in EXAM_HARD and result.unanswered_rare == 1


def test_the_period_bounds_what_is_read(seeded_db: str) -> None:
    one_day = report.read_conversations(
        seeded_db, datetime(2026, 11, 17, tzinfo=timezone.utc), datetime(2026, 11, 18, tzinfo=timezone.utc)
    )
    assert len(one_day) == 5


def test_the_page_and_csv_show_no_sender_and_nothing_personal(seeded_db: str, tmp_path: Path) -> None:
    result = week(seeded_db)
    page = report.to_html(result)
    written = report.write_csv(result, tmp_path / "csv")
    everything = page + "".join(path.read_text(encoding="utf-8") for path in written)
    for secret in ("student-secret", "sam@example.com", "[email]", "lab coat"):
        assert secret not in everything
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")  # offline
    with (tmp_path / "csv" / "per_day.csv").open(encoding="utf-8") as per_day:
        rows = list(csv.reader(per_day))
    assert rows[1:4] == [
        ["2026-11-16", "6", "9"],
        ["2026-11-17", "5", "5"],
        ["2026-11-18", "fewer than 5", "fewer than 5"],
    ]


def test_no_conversations_yet_is_an_empty_report(tmp_path: Path) -> None:
    start = datetime(2026, 11, 16, tzinfo=timezone.utc)
    assert report.read_conversations(f"sqlite:///{tmp_path / 'new.db'}", start, start) == []
    empty = report.build_report([], start.date(), start.date())
    assert empty.conversations == 0 and "conversations: 0;" in report.summary(empty)


def test_the_reply_phrases_still_open_the_replies_they_name() -> None:
    assert reply_kind(POINTER) == "pointer" and reply_kind(FALLBACK) == "not understood"
    domain = (PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")
    assert "didn't get that" in domain and "I only answer questions about" in domain.replace("\n        ", " ")


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.integration
@pytest.mark.skipif(INITDB is None, reason="PostgreSQL's server is not installed: run `make services`")
def test_the_report_reads_postgresql_too(postgres_url: str) -> None:
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    # the database is shared with other tests, whose conversations are all from today, not that week
    seed(PrivateSQLTrackerStore(domain, host=postgres_url), domain, f"report-{uuid.uuid4().hex[:8]}")
    result = week(postgres_url)
    assert (result.conversations, result.turns) == (13, 18)
    assert result.topics == [("Salary", 6), ("Certification", 5), (report.OTHER, 2)]
    assert len(result.unanswered) == 1 and result.unanswered[0][1] == 5


@pytest.mark.integration
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: run `make browser`")
def test_the_report_opens_offline_in_chromium(seeded_db: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "report.html"
    report.main(["--db", seeded_db, "--since", "2026-11-16", "--until", "2026-11-22", "--out", str(page_file)])
    results = PROJECT_ROOT / "results"
    results.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        requests: List[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_file.as_uri())
        assert page.get_by_role("heading", level=1).inner_text().startswith("What students asked")
        assert page.get_by_role("img", name="Topics asked about").is_visible()
        page.screenshot(path=str(results / "report.png"), full_page=True)
        browser.close()
    assert requests == [page_file.as_uri()]  # nothing else loaded: it opens offline
    assert (results / "report.png").stat().st_size > 0
