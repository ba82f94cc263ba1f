"""The knowledge file is reloaded when edited; an invalid edit keeps the last good version and logs
the validation error."""

from __future__ import annotations

import itertools
import logging
import os
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

from bot import KnowledgeFileError, Question, answer
from bot.reloading import ReloadingKnowledge

MLT = "medical_laboratory_technician"
SECONDS_LATER = itertools.count(5, 5)


def saved_later(path: Path) -> Path:
    """As if saved a few seconds after the last version (some file systems keep whole seconds)."""
    stamp = path.stat().st_mtime + next(SECONDS_LATER)
    os.utime(path, (stamp, stamp))
    return path


def salary_text(knowledge: ReloadingKnowledge) -> str:
    return answer(knowledge.current(), Question("salary")).text


def raise_pay(data: Dict[str, Any]) -> None:
    fact = data["careers"][MLT]["topics"]["salary"]["facts"][0]
    fact["text"] = fact["text"].replace(fact["value"], "$99,999")
    fact["value"] = "$99,999"


def test_an_edited_file_is_used_for_the_next_answer(write_knowledge: Callable[..., Path]) -> None:
    knowledge = ReloadingKnowledge(write_knowledge())
    assert "$61,890" in salary_text(knowledge)
    saved_later(write_knowledge(raise_pay))
    assert "$99,999" in salary_text(knowledge) and "$61,890" not in salary_text(knowledge)


def test_an_invalid_edit_keeps_the_last_good_version_and_logs_why(
    write_knowledge: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    knowledge = ReloadingKnowledge(write_knowledge())
    broken = saved_later(write_knowledge(lambda d: d["careers"][MLT]["topics"]["salary"]["facts"][0].pop("source")))
    with caplog.at_level(logging.ERROR, logger="bot.reloading"):
        assert "$61,890" in salary_text(knowledge)
        assert "$61,890" in salary_text(knowledge)  # asked again: still served, logged once
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "Kept the last good knowledge file" in errors[0]
    assert f"{broken} is not a valid knowledge file" in errors[0]
    assert f"entry careers.{MLT}.topics.salary.facts[0], field 'source': field required" in errors[0]
    saved_later(write_knowledge(raise_pay))  # fixed: served again
    assert "$99,999" in salary_text(knowledge)


def test_a_file_missing_for_a_moment_keeps_the_last_good_version(write_knowledge: Callable[..., Path]) -> None:
    path = write_knowledge()
    knowledge = ReloadingKnowledge(path)
    path.unlink()
    assert "$61,890" in salary_text(knowledge)
    saved_later(write_knowledge(raise_pay))
    assert "$99,999" in salary_text(knowledge)


def test_an_invalid_file_at_start_is_still_refused(write_knowledge: Callable[..., Path]) -> None:
    with pytest.raises(KnowledgeFileError):
        ReloadingKnowledge(write_knowledge(text="version: 1\n"))
