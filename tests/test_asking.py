"""Question-level answers (bot.matching, bot.asking): a specific question gets the facts that answer
it, a general one the topic's overview, a message no intent took is searched in the whole file, and
what the file cannot answer gets an honest pointer. Uses the real knowledge file and encoder."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, List, Sequence

import numpy as np
import pytest

from bot import Question, answer, load_knowledge
from bot.answers import cite_all
from bot.asking import (
    MAX_PARTS,
    answer_comparison,
    answer_question,
    answer_small_talk,
    asks_for_opinion,
    search_answer,
)
from bot.knowledge_base import KnowledgeBase
from bot.loader import KnowledgeFileError
from bot.matching import OTHER_TOPIC_PENALTY, RANKED, FactIndex
from bot.schema import Source, refers_to_one_program
from bot.sentence_encoder import DEFAULT_CACHE_DIR, SentenceEncoder, Vectors, shared_encoder

MLT = "medical_laboratory_technician"
MLS = "medical_laboratory_technologist"


def ask(kb: KnowledgeBase, index: FactIndex, topic: str, text: str, **named: str) -> str:
    return answer_question(kb, index, Question(topic, **named), text).text


def test_a_specific_question_gets_the_fact_that_answers_it_not_the_topic(kb: KnowledgeBase, index: FactIndex) -> None:
    question = Question("certification", career_id=MLS)
    result = answer_question(kb, index, question, "how long does California take to process a CLS trainee license")
    assert "90 days" in result.text
    assert result.more_on is not None  # the whole topic it comes from: one button away
    assert result.text.count("\n\n") < answer(kb, question).text.count("\n\n")  # not the whole topic


def test_a_general_question_gets_the_overview(kb: KnowledgeBase, index: FactIndex) -> None:
    for topic, text in [("salary", "whats the pay for an MLT"), ("duties", "what does a lab tech do")]:
        assert answer_question(kb, index, Question(topic), text) == answer(kb, Question(topic)), text


def test_a_button_payload_gets_the_overview(kb: KnowledgeBase, index: FactIndex) -> None:
    assert answer_question(kb, index, Question("salary"), "/ask_salary") == answer(kb, Question("salary"))


def test_a_named_country_is_kept(kb: KnowledgeBase, index: FactIndex) -> None:
    text = ask(
        kb, index, "certification", "do I need to register with a regulator to work in Ontario", country_id="canada"
    )
    assert "in Canada" in text and "ASCP" not in text


def test_a_detail_says_which_career_it_is_about(kb: KnowledgeBase, index: FactIndex) -> None:
    found = search_answer(kb, index, "what does a pathologists assistant do during an autopsy")
    assert found is not None
    assert found.text.startswith("About pathologists' assistants")
    assert found.career_id == "pathologists_assistant"


def test_a_message_nothing_answers_gets_no_answer(kb: KnowledgeBase, index: FactIndex) -> None:
    assert search_answer(kb, index, "asdfgh qwerty zxcv") is None


def test_a_question_only_a_person_can_answer_gets_an_honest_pointer(kb: KnowledgeBase, index: FactIndex) -> None:
    found = search_answer(kb, index, "what is the best college near me for MLT")
    assert found is not None and not found.found
    assert found.text.startswith("I don't have a sourced answer to that exact question")
    assert "naacls.org" in found.text and "About " not in found.text


def test_another_careers_overview_is_not_given_for_the_career_asked(
    write_knowledge: Callable[..., Path], index: FactIndex
) -> None:
    kb = load_knowledge(write_knowledge(lambda d: d["careers"][MLT]["topics"].pop("employers")))
    own_index = FactIndex(kb, shared_encoder(), cache_dir=DEFAULT_CACHE_DIR)
    result = answer_question(kb, own_index, Question("employers"), "who hires lab techs")
    assert not result.found and "don't have sourced information on who hires them" in result.text


def test_career_names_do_not_decide_the_match(index: FactIndex) -> None:
    assert index.neutral("Where do lab techs get jobs?") == "Where do get jobs?"
    assert index.neutral("Can an MLT become a pathologists' assistant?") == "Can an become a ?"
    assert (
        index.neutral("Can an MLT become a pathologists\u2019 assistant?") == "Can an become a ?"
    )  # as phones type it


def test_ranking_one_question_again_gives_the_same_ranking_and_a_new_one_its_own(index: FactIndex) -> None:
    # a turn ranks one question several times, and its scores are kept for the next ranking
    pay, shifts = index.encode("how much do lab techs earn?"), index.encode("do lab techs work nights?")
    first = [(m.fact.text, m.score) for m in index.rank(pay)[:20]]
    night_shift = [(m.fact.text, m.score) for m in index.rank(shifts)[:20]]
    assert first != night_shift
    assert [(m.fact.text, m.score) for m in index.rank(pay)[:20]] == first
    assert [(m.fact.text, m.score) for m in index.rank(shifts)[:20]] == night_shift
    assert index.rank(pay, pointers=True)[0].located.pointer_id is not None


def test_how_stressful_the_work_is_gets_the_published_surveys_not_lab_safety(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # the issue's own example: "what's the stress like?" had been answered with the lab's hazards
    for text in ["what's the stress like?", "is being a lab tech stressful?", "Is it high stress?"]:
        reply = answer_question(kb, index, Question("work_environment"), text).text
        assert "burnout survey" in reply and "infectious samples" not in reply, text


def test_whether_a_state_needs_a_licence_is_answered_by_which_states_license_lab_staff(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # the example: not one college's rule that its MLT students need a phlebotomy licence
    reply = answer_question(kb, index, Question("certification"), "does California need a licence?").text
    assert "states with laboratory personnel licensure" in reply and "Miramar" not in reply


def test_a_typographic_apostrophe_names_the_same_career(kb: KnowledgeBase) -> None:
    match = kb.resolve_career("Pathologists\u2019 Assistant")
    assert match is not None and match.career_id == "pathologists_assistant"


class Counting:
    """The real encoder, counting the sentences it is asked to encode."""

    def __init__(self, real: SentenceEncoder) -> None:
        self.real, self.sentences = real, 0

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.sentences += len(texts)
        return self.real.encode(texts)


def test_fact_vectors_are_computed_once_per_knowledge_version(kb: KnowledgeBase, tmp_path: Path) -> None:
    first = Counting(shared_encoder())
    built = FactIndex(kb, first, cache_dir=tmp_path)
    assert first.sentences > len(kb.all_facts()) and list(tmp_path.glob("fact-vectors-*.npy"))
    second = Counting(shared_encoder())
    again = FactIndex(kb, second, cache_dir=tmp_path)
    assert second.sentences == 0
    question = again.encode("is the exam computer adaptive")
    assert [m.fact for m in again.rank(question)[:3]] == [m.fact for m in built.rank(question)[:3]]


def test_an_edited_knowledge_file_encodes_only_what_the_edit_changed(
    kb: KnowledgeBase, write_knowledge: Callable[..., Path]
) -> None:
    counting = Counting(shared_encoder())
    before = FactIndex(kb, counting)
    counting.sentences = 0

    def edit(data: dict) -> None:  # type: ignore[type-arg]
        fact = data["careers"][MLT]["topics"]["certification"]["facts"][0]
        fact["text"] += " It is renewed every three years."
        fact.setdefault("answers", []).append("how often is the certificate renewed")

    after = FactIndex(load_knowledge(write_knowledge(edit)), counting)
    assert counting.sentences == 2  # the new text and the new phrasing, not the file's ~10,000 keys
    question = after.encode("is the exam computer adaptive")
    assert [m.fact.text for m in after.rank(question)[:3]] == [m.fact.text for m in before.rank(question)[:3]]
    renewed = after.rank(after.encode("how often is the certificate renewed"))[0]
    assert renewed.fact.text.endswith("It is renewed every three years.") and renewed.score > 0.99


def test_a_cache_from_another_version_is_not_used(tmp_path: Path, kb: KnowledgeBase) -> None:
    FactIndex(kb, shared_encoder(), cache_dir=tmp_path)
    for cached in tmp_path.glob("fact-vectors-*.npy"):
        np.save(cached, np.zeros((3, 384), dtype=np.float32))  # a damaged or foreign file
    rebuilt = FactIndex(kb, shared_encoder(), cache_dir=tmp_path)
    assert rebuilt.rank(rebuilt.encode("how long is the trainee license processing"))[0].score > 0.3


def test_a_detail_cannot_be_a_figure(write_knowledge: Callable[..., Path]) -> None:
    def make_detail(data: dict) -> None:  # type: ignore[type-arg]
        data["careers"][MLT]["topics"]["salary"]["facts"][1]["detail"] = True

    with pytest.raises(KnowledgeFileError, match=r"topics\.salary\.facts\[1\], field 'detail'"):
        load_knowledge(write_knowledge(make_detail))


def test_a_pointer_with_an_unknown_source_is_rejected(write_knowledge: Callable[..., Path]) -> None:
    def break_pointer(data: dict) -> None:  # type: ignore[type-arg]
        data["pointers"]["naacls_program_finder"]["source"] = "nowhere"

    with pytest.raises(KnowledgeFileError, match=r"pointers\.naacls_program_finder, field 'source': unknown source"):
        load_knowledge(write_knowledge(break_pointer))


def test_sources_are_links_to_their_pages() -> None:
    one = Source(name="NAACLS", title="t", year=2026, url="https://naacls.org/a")
    editions = [
        Source(name="BLS", title="t", year=2024, url="https://bls.gov/2024"),
        Source(name="BLS", title="t", year=2022, url="https://bls.gov/2022"),
    ]
    plain = Source(name="Coursera", title="t", year=2022)
    assert cite_all([one, plain]) == "Sources: [NAACLS](https://naacls.org/a) (2026); Coursera (2022)."
    assert cite_all(editions) == "Source: BLS ([2024](https://bls.gov/2024), [2022](https://bls.gov/2022))."


def test_a_comparison_question_one_fact_answers_gets_that_fact(kb: KnowledgeBase, index: FactIndex) -> None:
    pair = (MLS, MLT)
    specific = answer_comparison(kb, index, pair, None, "What is the difference between a CLS and a MLT in California?")
    assert "moderate complexity" in specific.text and specific.more_on is not None
    general = answer_comparison(kb, index, pair, None, "compare them")
    assert general.text.startswith("Medical laboratory technologist vs medical laboratory technician:")
    # a fact about California's MLT limits matches this too, but it asks for the difference in general
    side_by_side = answer_comparison(kb, index, pair, None, "what's the main difference between an MLT and an MLS?")
    assert side_by_side.text.startswith("Medical laboratory technologist vs medical laboratory technician:")


def test_two_credentials_of_one_career_are_told_apart_by_the_fact_that_does(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    """HT and HTL are both filed under histotechnicians: asked for their difference, the fact that
    gives it answers, not "two names for the same job" beside a side-by-side with MLTs."""
    names = ["histology technician", "HT", "histotechnologist", "HTL"]
    text = "What is the difference between histology technician (HT) and histotechnologist (HTL)?"
    result = answer_comparison(kb, index, ("histotechnician", MLT), None, text, names=names)
    assert "baccalaureate" in result.text and "same job" not in result.text
    assert result.text.startswith("About histotechnicians")
    # too short for any fact to match: the career's own fact that tells its two levels apart
    bare = answer_comparison(kb, index, ("histotechnician", MLT), None, "HT vs HTL?", names=["HT", "HTL"])
    assert bare.text.startswith('"HT" and "HTL" are two levels of one career'), bare.text
    assert "associate degree" in bare.text and "same job" not in bare.text and " vs " not in bare.text
    same = answer_comparison(
        kb,
        index,
        (MLS, MLT),
        None,
        "medical laboratory scientist vs medical technologist",
        names=["medical laboratory scientist", "medical technologist"],
    )
    assert "two names for the same job" in same.text


def test_a_level_beside_the_careers_general_name_is_told_apart_too(kb: KnowledgeBase, index: FactIndex) -> None:
    """ "Histotech" is said of both HT and HTL holders: "histotech vs HTL" asks what the higher level
    adds, not whether they are one job beside a side-by-side with MLTs; two names of one level are
    still one job."""
    result = answer_comparison(
        kb, index, ("histotechnician", MLT), None, "histotech vs HTL?", names=["histotech", "HTL"]
    )
    assert result.text.startswith('"histotech" is said of either credential level of the histotechnician'), result.text
    assert "associate degree" in result.text and "same job" not in result.text and " vs " not in result.text
    one_level = answer_comparison(
        kb, index, ("histotechnician", MLT), None, "HT vs histology technician?", names=["HT", "histology technician"]
    )
    assert "two names for the same job" in one_level.text


def test_asking_for_an_opinion_is_told_apart_from_asking_for_a_fact() -> None:
    for text in [
        "Does anyone here work nights?",
        "would you recommend this field?",
        "is it worth it at 40?",
        "is this a good or decent field to go into?",
        "what are my options after failing the exam twice?",
        "is there anything else you would suggest before I apply?",
        "is it just me or is anyone else exhausted after nights?",
        "are the local hospitals hiring part-time only?",
        "how hard is histology compared with chemistry?",
        "is the shortage real or is it exaggerated?",
        "what would help me stand out when applying?",
        "what are my chances of getting into a hospital MLS program with a 2.9?",
        "I'm torn between MLT and radiography, any thoughts?",
        "have you ever seen someone go from nursing into the lab?",
        "is there any hope for me after two rejections?",
        "is an MLT degree too limiting if I want to move into research later?",
        "For those who switched from nursing, what was the hardest part?",
        "Anyone regret going into histology?",
        "Were you able to work while doing clinicals?",
        "any tips for the BOC exam?",
        "how common is it to get hired before graduating?",
        "what's motivating people to stay in the lab?",
        "which bench would you pick if you were starting out?",
        "any first-year advice for a new MLT?",
        "are reference labs as greedy as people say?",
        "Do most of you feel underpaid?",
        "How is the work life balance and the pros/cons of the job?",
        "Is the training programme right for me?",
        "could any graduates share their experience in the field?",
        "Should I enroll in a lab assistant certificate while I wait for my assessment?",
        "I got into one program but not the other, or should I wait a year and reapply?",
        "would it be wise to specialize in microbiology?",
        "Why choose a hospital-based MLS program?",
        "would histology or cytology be a better fit for me?",
        "can I get hired as an MLT with a criminal record?",
        "do employers strongly prefer MLS over MLT?",
    ]:
        assert asks_for_opinion(text), text
    for text in [
        "does anyone know if ASCP needs pay stubs",
        "anyone know if California accepts AMT?",
        "should i become a phlebotomist or an MLT",
        "what is the difference between an MLT and an MLS",
        "which program should I choose for histotechnology?",
        "what prerequisites should I take before applying to an MLS program?",
        "do I need a background check for a California lab license?",
    ]:
        assert not asks_for_opinion(text), text


def test_a_question_asking_for_an_opinion_gets_an_honest_pointer(kb: KnowledgeBase, index: FactIndex) -> None:
    text = ask(kb, index, "outlook", "would you recommend becoming a lab tech to a friend?")
    assert text.startswith("I don't have a sourced answer") and "counselor" in text


def test_an_opinion_with_a_factual_part_gets_the_facts_and_where_to_take_the_rest(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    text = ask(
        kb, index, "work_environment", "do new techs end up on night shifts, and would you say the job is worth it?"
    )
    assert text.startswith("I don't have a sourced answer to that as asked")
    assert "night shift" in text.split("What the sources do say:")[1]


def test_a_specific_question_nothing_answers_gets_a_pointer_not_the_topic(kb: KnowledgeBase, index: FactIndex) -> None:
    result = answer_question(
        kb, index, Question("education"), "can I bring my dog to campus during the lab science program orientation week"
    )
    assert not result.found and "counselor" in result.text  # the general pointer, not a state board's
    assert result.text != answer(kb, Question("education")).text


def test_asking_whether_two_careers_differ_gets_the_side_by_side_not_one_state_s_rule(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    for text in [
        "Is there a difference between an mlt and an mls?",
        "what are the major differences between an MLT and an MLS?",
    ]:
        assert " vs " in answer_comparison(kb, index, (MLT, MLS), None, text).text, text
    in_california = answer_comparison(
        kb, index, (MLT, MLS), None, "what is the difference between a CLS and an MLT in California"
    )
    assert "California" in in_california.text and " vs " not in in_california.text


def test_a_comparison_naming_no_career_is_answered_by_the_fact_that_answers_it(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    pair = (MLS, MLT)  # only assumed: the student named neither
    text = "how is working in a reference lab different from a hospital lab"
    assert "Reference labs" in answer_comparison(kb, index, pair, None, text, named_careers=0).text
    assert (
        " vs " in answer_comparison(kb, index, pair, None, "what's the difference between them", named_careers=0).text
    )
    # two things that are not careers, that nothing in the file answers: no side-by-side of assumed careers
    text = "What is the difference between direct entry and in-service STP vacancies?"
    assert " vs " not in answer_comparison(kb, index, pair, None, text, named_careers=0).text


def test_a_fact_that_holds_for_another_career_answers_its_questions_too(
    write_knowledge: Callable[..., Path],
) -> None:
    new_grad_shift = "A day (morning) shift is unlikely"

    def share(data: dict) -> None:  # type: ignore[type-arg]
        for fact in data["careers"][MLS]["topics"]["work_environment"]["facts"]:
            if fact["text"].startswith(new_grad_shift):
                fact["also_for"] = [MLT]

    kb = load_knowledge(write_knowledge(share))
    shared_index = FactIndex(kb, shared_encoder(), cache_dir=DEFAULT_CACHE_DIR)
    question = Question("work_environment", career_id=MLT)
    result = answer_question(kb, shared_index, question, "as a new grad will I get a day shift or only nights")
    assert new_grad_shift in result.text and result.text.startswith("About medical laboratory technicians")
    assert new_grad_shift not in answer(kb, question).text  # never in the other career's overview


def test_a_fact_shared_with_an_unknown_career_is_rejected(write_knowledge: Callable[..., Path]) -> None:
    def share(data: dict) -> None:  # type: ignore[type-arg]
        data["careers"][MLS]["topics"]["work_environment"]["facts"][0]["also_for"] = ["nurse"]

    with pytest.raises(
        KnowledgeFileError, match=r"work_environment\.facts\[0\], field 'also_for\[0\]': unknown career 'nurse'"
    ):
        load_knowledge(write_knowledge(share))


def test_a_long_specific_question_gets_the_fact_that_answers_it_whichever_career_it_is_filed_under(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # no career named: the default career (technician) has no such fact, the technologist's answers it
    text = ask(kb, index, "certification", "how do I move my registration from non-practising back to practising")
    assert text.startswith("About medical laboratory technologists in Canada") and "active engagement" in text


def test_a_fact_under_the_topic_the_question_was_classed_in_leads_a_close_call(index: FactIndex) -> None:
    query = index.encode("do lab techs work nights and weekends")
    plain = {id(m.located): m.score for m in index.rank(query, best=None)}
    for match in index.rank(query, prefer_topic="work_environment"):
        penalty = 0 if match.located.topic_id == "work_environment" else OTHER_TOPIC_PENALTY
        expected = plain[id(match.located)] - penalty
        assert match.score == pytest.approx(expected, abs=1e-6)


def test_a_ranking_returns_the_best_few_in_the_order_a_full_ranking_gives_them(index: FactIndex) -> None:
    query = index.encode("how long is a hospital MLS program")
    full = index.rank(query, best=None)
    few = index.rank(query)
    assert len(few) == RANKED < len(full)
    assert [(id(m.located), m.score) for m in few] == [(id(m.located), m.score) for m in full[:RANKED]]
    assert len(index.rank(query, careers=["phlebotomist"], best=5)) == 5


def test_a_longer_question_about_the_field_nothing_answers_gets_a_pointer_not_didnt_get_that(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    found = search_answer(
        kb, index, "will the other techs on my bench be annoyed if I ask them a lot of questions in my first month"
    )
    assert found is not None and not found.found
    assert found.text.startswith("I don't have a sourced answer")
    for off_topic in ["what is the best pizza place in town that delivers late at night", "tell me a joke"]:
        assert search_answer(kb, index, off_topic) is None, off_topic


def test_an_opinion_no_intent_took_gets_a_pointer_not_loose_facts(kb: KnowledgeBase, index: FactIndex) -> None:
    found = search_answer(kb, index, "do you think the cytotechs at your hospital have a good idea of the field?")
    assert found is not None and not found.found and found.text.startswith("I don't have a sourced answer")


def test_a_question_naming_no_career_is_answered_for_lab_techs_not_another_career(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    result = answer_question(kb, index, Question("salary"), "how much do they make starting out")
    assert result.career_id == MLT and "pathologists' assistant" not in result.text.lower()


def test_whether_research_lab_work_counts_is_answered_by_what_counts_as_clinical_training(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # (a detail following the overview it matches as well as: the next test)
    question = Question("education", career_id=MLS)
    text = "does my biology research lab work count as clinical experience for an MLS job?"
    result = answer_question(kb, index, question, text)
    assert result.text.split("\n\n")[1].startswith("For U.S. ASCP credentials, clinical training must be")
    assert "CLIA certificate" in result.text and result.more_on is not None


def test_a_detail_for_the_default_country_follows_an_overview_that_holds_everywhere(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    """The shifts overview holds in every country; how US labs staff them (rotating shifts, on
    call) is a US detail, and the US is the country a student who names none is asked about."""
    result = answer_question(kb, index, Question("work_environment"), "What are your hours like?")
    assert result.text.startswith("About medical laboratory technicians")
    assert "rotating shifts" in result.text and "nights, weekends and holidays" in result.text


def test_a_fact_shared_with_the_named_career_answers_as_closely_as_its_score_says(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    """The burnout survey is filed under technologists and holds for technicians (`also_for`):
    the penalty that ranks it behind a technician's own facts must not keep it from answering."""
    question = Question("work_environment", career_id=MLT)
    result = answer_question(kb, index, question, "how stressed out do MLTs get at work")
    assert result.found and "workload" in result.text and "burnout" in result.text


def test_each_sentence_of_a_message_asking_two_things_is_answered(kb: KnowledgeBase, index: FactIndex) -> None:
    first = "How many students does a hospital MLS program take each year?"
    second = "And can I do the program part-time while I work?"
    both = answer_question(kb, index, Question("education", career_id=MLS), f"{first} {second}").text
    alone = answer_question(kb, index, Question("education", career_id=MLS), first).text
    assert "students a year" in both and "half-time" in both and "half-time" not in alone


def test_a_short_question_naming_what_it_asks_about_gets_the_fact_that_answers_it(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    """ "What is CAMLPR?" is as short as "what do they do?", but a fact answers just that; it is
    filed under technologists, and the student named no career."""
    text = ask(kb, index, "certification", "what is CAMLPR?", country_id="canada")
    assert "Canadian Alliance of Medical Laboratory Professionals Regulators" in text


def test_a_message_that_only_names_a_career_gets_what_the_career_does(kb: KnowledgeBase, index: FactIndex) -> None:
    """No intent took "what is an MLS": with the career name set aside, "what is an" matches any
    fact by chance (a cytotechnologist's, once); it asks what the career named is."""
    found = search_answer(kb, index, "what is an MLS", career_id=MLS)
    assert found is not None and found.text == answer(kb, Question("duties", career_id=MLS)).text
    assert search_answer(kb, index, "pizza time now", career_id=MLS) is None  # names no career


def test_a_long_message_costs_at_most_a_few_sentence_encodings(
    kb: KnowledgeBase, index: FactIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: List[int] = []
    encode_each = index.encode_each
    monkeypatch.setattr(index, "encode_each", lambda texts: encoded.append(len(texts)) or encode_each(texts))
    asks = "How many students does a hospital MLS program take each year? And can I do the program part-time?"
    answer_question(kb, index, Question("education", career_id=MLS), " ".join([asks] * 50))
    assert encoded and max(encoded) <= MAX_PARTS <= 10  # not one encoding per sentence (100 here)


def test_a_detail_for_another_country_does_not_follow_an_overview(kb: KnowledgeBase) -> None:
    question = Question("certification", career_id=MLT, country_id="us")
    elsewhere = next(f for f in kb.career(MLS).topics["certification"].facts if f.country == "canada")
    assert answer(kb, question, also=[elsewhere]) == answer(kb, question)


def test_an_opinion_goes_to_a_counselor_unless_a_particular_place_is_about_it(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    text = ask(kb, index, "work_environment", "is lab work hurting anyone else's social life and mental health?")
    assert text.startswith("I don't have a sourced answer") and "counselor" in text and "naacls.org" not in text


def test_a_country_the_file_has_no_facts_for_is_named_in_the_answer_not_silently_replaced(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    elsewhere = answer_question(
        kb, index, Question("certification"), "do I need a license to work in a lab in New Zealand?"
    )
    assert "in the US (I have no sourced facts for New Zealand; name another country to switch)" in elsewhere.text
    canada = answer_question(kb, index, Question("certification"), "I trained in India, do I need a licence in Canada?")
    assert "no sourced facts for" not in canada.text
    hiring = answer_question(kb, index, Question("employers"), "Do New Zealand laboratories hire people from overseas?")
    assert "(I have no sourced facts for New Zealand, so none of this is about it" in hiring.text
    searched = search_answer(kb, index, "how long does it take to become a medical lab scientist in Ireland")
    assert searched is not None and "no sourced facts for Ireland" in searched.text
    assert kb.uncovered_country("is a Georgia licence needed?") is None  # a US state, not the country
    compared = answer_comparison(
        kb, index, (MLS, MLT), None, "what's the difference between an MLT and an MLS in New Zealand?"
    )
    assert compared.text.startswith("I have no sourced facts for New Zealand; this is about the US.")


def test_a_short_message_naming_a_lab_career_that_nothing_answers_gets_a_pointer(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    named = search_answer(kb, index, "Are they still accepting international MedTechs?")
    assert named is not None and named.text.startswith("I don't have a sourced answer")
    assert search_answer(kb, index, "what's the best phone to buy") is None  # off topic: "didn't get that"


def test_an_answer_keeps_to_its_best_fact_s_topic_unless_another_fits_nearly_as_well(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    text = "How different is working at a diagnostic lab from working at a hospital?"
    found = search_answer(kb, index, text)
    assert found is not None and "Reference labs" in found.text
    reply = found.text
    assert "respiratory therapists" not in reply and "Medical Diagnostics major" not in reply  # other topics


def test_a_short_question_one_fact_matches_closely_leads_with_that_fact_whichever_career_holds_it(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    """The retake rule is filed under technologists; a technicians' fact that only mentions ASCP
    must not lead just because technicians are the default career."""
    reply = answer_question(kb, index, Question("certification"), "Can I retake an ASCP test?").text
    assert reply.split("\n\n")[1].startswith("To retake an ASCP exam")


def test_a_question_about_this_program_says_the_program_has_the_final_word(kb: KnowledgeBase, index: FactIndex) -> None:
    # the widget sits on one college's site: the bot cannot see which program "this" is
    text = answer_question(kb, index, Question("education"), "Can I work while I'm in this program?").text
    assert text.startswith("Each program sets its own admission rules") and "About medical laboratory" in text
    searched = search_answer(kb, index, "is your MLT course offered at night for working adults?")
    assert searched is not None and searched.text.startswith("Each program sets its own")
    general = answer_question(kb, index, Question("education"), "Can I work while I'm in an MLT program?").text
    assert not general.startswith("Each program")
    assert refers_to_one_program("Is this a recognized program and profession?")
    assert refers_to_one_program("Is there selective admission to the program?")  # an FAQ heading, on its page
    assert refers_to_one_program("Can you have paid work while in our programmes?")
    assert not refers_to_one_program("can work experience replace an accredited program for ASCP certification?")
    assert not refers_to_one_program("is the Sentara MLS program hard to get into?")  # named


def test_a_named_lab_career_is_answered_by_the_other_ones_fact_only_when_written_for_that_question(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # Canada calls its technologists (filed as MLS) MLTs: a fact written for just this question leads
    practising = answer_question(
        kb,
        index,
        Question("advancement", career_id=MLT, country_id="canada"),
        "When can I start practising as an MLT in Ontario?",
    )
    assert "CMLTO" in practising.text and practising.text.startswith("About medical laboratory technologists in Canada")
    # ... but a question that is all setting stays with the career the student named
    setting = answer_question(
        kb,
        index,
        Question("certification", career_id=MLT, country_id="australia"),
        "certification in australia for lab techs",
    )
    assert setting.text.startswith("About medical laboratory technicians in Australia")


def test_a_question_that_is_all_career_name_gets_the_overview(kb: KnowledgeBase, index: FactIndex) -> None:
    # "what is a ?" once the career's name is set aside: a fact whose phrasings share that shape
    # ("what job titles do phlebotomists have?") does not answer it better than the overview
    question = Question("duties", career_id="phlebotomist")
    assert answer_question(kb, index, question, "What is a Phlebotomist?").text == answer(kb, question).text


def test_a_general_question_naming_no_country_is_not_answered_for_another_country(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # a Manitoba regulator's description of the job once answered this for everyone, "in Canada (assumed)"
    text = answer_question(
        kb, index, Question("duties", career_id=MLS), "Who are Medical Laboratory Technologists and what do they do?"
    ).text
    assert text.startswith("About medical laboratory technologists") and "Canada" not in text.split("\n")[0]


def test_a_short_question_with_something_to_ask_still_gets_the_fact_that_answers_it(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # four words, but not only the career's name: "is the exam hard?" gets published pass rates
    text = answer_question(kb, index, Question("certification"), "is the exam hard?").text
    assert "pass rate" in text and text != answer(kb, Question("certification")).text


def test_small_talk_gets_its_usual_reply_unless_it_asks_people_for_their_experience(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    assert answer_small_talk(kb, index, "ok bye, thanks") is None
    pasted = answer_small_talk(kb, index, "Anyone left and returned?")
    assert pasted is not None and pasted.text.startswith("I don't have a sourced answer")


def test_a_question_naming_no_career_gets_another_careers_fact_only_when_it_answers_just_that(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # NHA certifies phlebotomists: its renewal rule answers the question, though no career is named
    renew = ask(kb, index, "certification", "how often do I have to renew my NHA phlebotomy technician certification?")
    assert renew.startswith("About phlebotomists") and "NHA" in renew
    # a short general question matches some career's phrasing of it, but is the generalists' question
    for topic, text in [("outlook", "Will I be able to find a job?"), ("education", "What is the admission process?")]:
        assert ask(kb, index, topic, text).startswith("About medical laboratory technicians"), text
    # ... and one the generalists' facts answer nearly as well is theirs ("do PAs need to be certified
    # in Canada?" matches it closely, as career names do not count in matching)
    canada = ask(kb, index, "certification", "do i need to be certified in canada", country_id="canada")
    assert canada.startswith("About medical laboratory technicians in Canada"), canada


def test_a_search_for_a_named_career_is_not_answered_with_another_careers_fact(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # with both careers' names set aside it reads as the cytotechnology program's "career
    # opportunities" fact, which once answered it
    found = search_answer(
        kb, index, "What are the career opportunities for a medical laboratory technician?", career_id=MLT
    )
    assert found is not None
    assert "cytotechnolog" not in found.text.lower()


def test_a_question_about_one_province_is_not_answered_with_another_provinces_rules(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # Ontario's CMLTO registration rules once answered this: the closest in meaning, from the wrong province
    asked = "how do I register as an MLT in Quebec"
    text = ask(kb, index, "certification", asked, career_id=MLT, country_id="canada")
    assert "CMLTO" not in text and "Ontario" not in text.split("\n\n")[1]
