"""CI floors for measured answer quality: intent macro-F1 by 5-fold cross-validation, and the share
correct on the end-to-end answer check. `make eval` prints the same figures in full; these tests
print them only when they fail.

Rasa shuffles the cross-validation folds without a fixed seed, so the intent figure moves by about
0.01 between runs; it measures 0.95, comfortably over the 0.90 floor."""

from __future__ import annotations

import pytest

from scripts import cross_validate, e2e_check, real_questions
from tests.servers import RunningBot

pytestmark = pytest.mark.quality

INTENT_MACRO_F1_FLOOR = 0.90
E2E_FLOOR = 0.97  # measured 98.7% on 2026-11-23 (goal: at least 98%)
# Real questions people posted: the share that gets a direct answer (every expected fact) or, for
# those no sourced bot can answer, an honest pointer. The goal is 80%, so these floors only stop a
# slide. Tuning set (bot/knowledge/real_questions.yml, the thresholds and `answers` were tuned on it):
# 5% before question-level answers, 32% after, 55% on 2026-11-23; with the first held-out set
# joined to it (231 questions), 52% at the start of 2026-12-04 and 60% at its end. Held-out set
# (tests/e2e/real_questions_heldout.yml, a second collection never tuned on): 41% with the code of
# 2026-11-23, 48% with that of 2026-12-04. In a second session that day the second held-out set
# joined the tuning set too (292 questions: 58% with the session's starting code, 63% at its end),
# and a third collection became the held-out set (57 questions, most of them opinions and personal
# cases: 25% with the starting code and 25% at its end). On 2026-12-06 the third joined the tuning set
# (349 questions: 57% with that day's starting code) and a fourth collection became the held-out set
# (64 questions from 33 pages, mostly program, regulator and FAQ pages: 8% with the starting code).
# At that session's end: tuning 61%, held-out 6% (its questions mostly need their own page's facts;
# those pages were kept out of the knowledge file so that the set stays blind). In its second session
# the fourth joined the tuning set (413 questions: 53% with the starting code) and a fifth collection
# became the held-out set (79 questions from 33 pages: 27% with the starting code). On 2026-12-07 the
# fifth joined the tuning set (492 questions: 55% with that day's starting code, 57% at its end) and
# a sixth collection became the held-out set (80 questions from 39 pages: 25% with the starting code).
# In that day's next session the sixth joined the tuning set (572 questions: 53% with the session's
# starting code, 57% at its end) and a seventh collection became the held-out set (77 questions from
# 52 pages, each making sense without its page: 27% with the starting code and 29% at its end).
# In the day's third session the seventh joined the tuning set (649 questions: 55% with the starting
# code) and an eighth collection became the held-out set (94 questions from 67 pages, after 1,638
# used or cited pages were excluded: 12% with the starting code; for 45 of its 53 answerable misses
# no fact in the file holds the expected answer). In the day's fourth session (the eighth set still
# blind, aggregates only): tuning 58% -> 59% and held-out 13% -> 16%, from the own-case detector.
# In the day's fifth session the eighth joined the tuning set (743 questions: 54% with the starting
# code) and a ninth collection became the held-out set (58 questions from 36 pages, 37 of them
# pointer questions; few unused pages were left: 40% with the starting code). At that session's end,
# after 185 new facts (net): tuning 57%, held-out 41%. In the day's sixth session (the ninth set still
# blind, aggregates only): tuning 57% and held-out 41% at both ends; ways to rank facts by shared
# words were measured and not landed (the session's closing note gives the figures).
# In the seventh: tuning 57.1% -> 57.2% and held-out 41.4% at both ends after 22 restated facts
# were merged; a fine-tuned encoder was measured on the servers (held-out 43-48%) and not landed.
# In the eighth: tuning 57.2% -> 61.2% and held-out 41.4% -> 53.4% (the ninth set still blind,
# aggregates only), from an own-case question's factual part answered after the honest part (its
# bars chosen by cross-validation) and a share of the ranking for the question's rarer words; the
# floors rose to stop a fall back below the seventh session's figures (a new held-out set needs its own).
# In the ninth (2026-12-08) the ninth joined the tuning set (801 questions: 61% with the starting code,
# the own-case detector now learning from its labels too) and a tenth collection became the held-out
# set (38 questions from 31 pages, 30 of them pointer questions: the collectors found the stored pages
# used up): 66% with the starting code. Its floor sits below that by the swing of about four of its
# questions, as a new set's first figure is all it has.
REAL_QUESTIONS_FLOOR = {"tuning": 0.58, "heldout": 0.55}


def test_end_to_end_answers(running_bot: RunningBot) -> None:
    items = e2e_check.load_items()
    assert len(items) >= 120
    result = e2e_check.run(items, running_bot.say)
    share = result["correct"] / result["total"]
    assert share >= E2E_FLOOR, f"{100 * share:.1f}% correct < {100 * E2E_FLOOR:.0f}%\n" + e2e_check.report(result)


@pytest.mark.parametrize("name", sorted(REAL_QUESTIONS_FLOOR))
def test_real_questions_get_direct_answers(running_bot: RunningBot, name: str) -> None:
    questions = real_questions.load(real_questions.SETS[name])
    by_theme = real_questions.run(questions, running_bot.say)
    share = real_questions.overall_rate(by_theme) / 100
    assert share >= REAL_QUESTIONS_FLOOR[name], real_questions.report(by_theme)


def test_cross_validated_intent_f1() -> None:
    reports = cross_validate.cross_validate(folds=5)
    macro = reports["intent"]["macro avg"]["f1-score"]
    tables = "\n".join("\n".join(cross_validate.table(f"{name} F1", report)) for name, report in reports.items())
    assert macro >= INTENT_MACRO_F1_FLOOR, f"intent macro-F1 {macro:.3f} < {INTENT_MACRO_F1_FLOOR}\n{tables}"
