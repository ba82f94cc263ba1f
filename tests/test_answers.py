"""Answers composed from the knowledge file: content, ordering of dated figures, sources, careers,
countries, ambiguous names, comparisons, and honesty where nothing is known."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from bot import Question, answer, compare, describe_topics, load_knowledge, topics_overview
from bot.answers import overview
from bot.knowledge_base import KnowledgeBase
from bot.schema import CareerTopic, Fact

MLT = "medical_laboratory_technician"
MLS = "medical_laboratory_technologist"
CORE_TOPICS = ["duties", "education", "certification", "salary", "employers"]
ALL_MLT_TOPICS = CORE_TOPICS + [
    "outlook",
    "skills",
    "work_environment",
    "specializations",
    "advancement",
    "without_degree",
    "time_to_qualify",
    "related_careers",
]


def paragraphs(text: str) -> List[str]:
    return text.split("\n\n")


def test_salary_leads_with_the_newest_confirmed_figure_and_names_source_and_year(kb: KnowledgeBase) -> None:
    header, lead, *_ = paragraphs(answer(kb, Question("salary")).text)
    assert (
        header == "About medical laboratory technicians in the US (assumed: name another career or country to switch):"
    )
    assert lead.startswith("The newest confirmed figure")
    assert "$60,780" in lead and "May 2023" in lead and "U.S. Bureau of Labor Statistics" in lead


def test_a_newer_unconfirmed_figure_follows_the_confirmed_one_flagged(kb: KnowledgeBase) -> None:
    """Only a secondary source states $61,890 (knowledge-checks-2026-11): it never leads."""
    newer = paragraphs(answer(kb, Question("salary")).text)[2]
    assert newer.startswith("A newer figure from a secondary source")
    assert "$61,890" in newer and "May 2024" in newer and "JobHuntDay (career site, citing BLS), 2026" in newer
    assert "could not confirm" in newer


def test_salary_keeps_older_figures_with_their_true_periods(kb: KnowledgeBase) -> None:
    text = answer(kb, Question("salary")).text
    assert "$57,800 (May 2021)" in text
    assert "$52,330 (May 2018)" in text
    # the seeds' mislabels are not repeated
    assert "2019 figures" not in text
    assert not re.search(r"average[^.]*57,800|57,800[^.]*average", text)


def test_figures_are_ordered_by_date_not_by_file_order(write_knowledge: Callable[..., Path]) -> None:
    def shuffle(data: Dict[str, Any]) -> None:
        facts = data["careers"][MLT]["topics"]["salary"]["facts"]
        random.Random(7).shuffle(facts)
        facts.reverse()

    text = answer(load_knowledge(write_knowledge(shuffle)), Question("salary")).text
    assert text.index("$60,780") < text.index("$61,890") < text.index("$57,800") < text.index("$52,330")


def test_when_every_figure_is_confirmed_the_newest_leads(write_knowledge: Callable[..., Path]) -> None:
    def confirm_all(data: Dict[str, Any]) -> None:
        for fact in data["careers"][MLT]["topics"]["salary"]["facts"]:
            fact.pop("confirmed", None)

    text = answer(load_knowledge(write_knowledge(confirm_all)), Question("salary")).text
    assert paragraphs(text)[1].startswith("The newest confirmed figure") and "$61,890" in paragraphs(text)[1]
    assert "secondary source" not in text
    assert "Earlier figures: $60,780 (May 2023), $57,800 (May 2021), $52,330 (May 2018)." in text


def test_with_no_confirmed_figure_the_newest_leads_saying_so(write_knowledge: Callable[..., Path]) -> None:
    def unconfirm_all(data: Dict[str, Any]) -> None:
        for fact in data["careers"][MLT]["topics"]["salary"]["facts"]:
            if fact.get("figure"):
                fact["confirmed"] = False

    text = answer(load_knowledge(write_knowledge(unconfirm_all)), Question("salary")).text
    assert (
        paragraphs(text)[1].startswith("The newest figure I have, not confirmed") and "$61,890" in paragraphs(text)[1]
    )


def test_outlook_does_not_present_healthcare_growth_as_lab_growth(kb: KnowledgeBase) -> None:
    text = answer(kb, Question("outlook")).text
    assert paragraphs(text)[2].count("2%") == 1 and "2024 to 2034" in text  # unconfirmed: after BLS's 5%
    assert "5%" in text and "2022-2032" in text
    assert "13%" in text and "all healthcare jobs, not lab technicians" in text


@pytest.mark.parametrize(
    "topic, must_contain",
    [
        ("duties", ["blood", "tissue", "body fluids", "diagnose"]),
        ("education", ["associate", "bachelor", "NAACLS", "certificate"]),
        ("certification", ["ASCP", "AMT", "MLT", "exam", "Some states", "Puerto Rico", "CMP", "three-year"]),
        ("employers", ["hospital", "diagnostic laborator", "physician", "outpatient"]),
        ("work_environment", ["full time", "nights", "weekends", "infectious"]),
        ("skills", ["Attention to detail", "analytical", "Communication", "dexterity"]),
        ("specializations", ["histotechn", "phlebotom", "cytotechnolog", "blood bank"]),
        ("advancement", ["bachelor", "technologist", "MLS", "supervis"]),
        ("without_degree", ["high school", "associate", "phlebotomy"]),
        ("time_to_qualify", ["two years", "50 weeks", "five years"]),
        ("related_careers", ["Phlebotomist", "Histotechnician", "Cytotechnologist", "not a lab job"]),
    ],
)
def test_topic_answers_contain_the_key_facts(kb: KnowledgeBase, topic: str, must_contain: list) -> None:
    text = answer(kb, Question(topic)).text
    for phrase in must_contain:
        assert phrase in text, phrase


@pytest.mark.parametrize("topic", ALL_MLT_TOPICS)
def test_every_answer_ends_with_its_sources_and_years(kb: KnowledgeBase, topic: str) -> None:
    result = answer(kb, Question(topic))
    last = paragraphs(result.text)[-1]
    assert re.fullmatch(r"Sources?: .+\(\d{4}(, \d{4})*\)\.", re.sub(r"\[([^\]]+)\]\(\S+?\)", r"\1", last)), last
    assert result.found


@pytest.mark.parametrize("topic", ALL_MLT_TOPICS)
def test_answers_are_short_and_offer_follow_ups(kb: KnowledgeBase, topic: str) -> None:
    result = answer(kb, Question(topic))
    body = "\n\n".join(paragraphs(result.text)[1:-1])
    sentences_or_items = len(re.findall(r"[.!?](\s|$)", body))
    assert 1 <= sentences_or_items <= 9, sentences_or_items
    assert 2 <= len(result.follow_ups) <= 3
    assert topic not in [t.id for t in result.follow_ups]


def test_sources_line_merges_editions_of_the_same_work(kb: KnowledgeBase) -> None:
    last = paragraphs(answer(kb, Question("education")).text)[-1]
    bls = "https://www.bls.gov/ooh/healthcare/clinical-laboratory-technologists-and-technicians.htm"
    assert f"Occupational Outlook Handbook]({bls}) (2024, 2022)" in last
    assert last.count("Occupational Outlook Handbook") == 1


def test_missing_topic_is_said_honestly(write_knowledge: Callable[..., Path]) -> None:
    kb = load_knowledge(write_knowledge(lambda d: d["careers"][MLT]["topics"].pop("employers")))
    result = answer(kb, Question("employers"))
    assert not result.found
    assert "don't have sourced information on who hires them for medical laboratory technicians" in result.text
    assert "won't guess" in result.text
    assert "$" not in result.text
    assert [t.id for t in result.follow_ups] == ["duties", "education", "certification"]


def test_unknown_topic_is_said_honestly(kb: KnowledgeBase) -> None:
    result = answer(kb, Question("astrology"))
    assert not result.found and "don't have sourced information" in result.text


def test_a_topic_the_file_marks_unknown_says_so_and_why(kb: KnowledgeBase) -> None:
    result = answer(kb, Question("salary", "patient_care_clinical_technician"))
    assert not result.found
    assert "don't have sourced information on how much they earn for patient-facing clinical technicians" in result.text
    assert "The articles on this role give no pay figure" in result.text
    assert "$" not in result.text
    assert [t.id for t in result.follow_ups] == ["duties", "education", "certification"]


def test_a_topic_whose_overview_is_for_other_countries_gives_the_countrys_details(kb: KnowledgeBase) -> None:
    """The file's overview of what lab assistants do is Canada's, but three US details say it
    too ("what is a lab assistant?"): they answer, not "nothing sourced for the US"."""
    mla = "medical_laboratory_assistant"
    entry = kb.career(mla).topics["duties"]
    assert not any(f.country == "us" for f in overview(entry))
    result = answer(kb, Question("duties", mla))
    assert result.found and "in the US" in paragraphs(result.text)[0]
    assert "ASCP Board of Certification describes a Medical Laboratory Assistant" in result.text
    assert len(paragraphs(result.text)) <= 4  # header, a paragraph of at most three facts, sources


def test_a_topic_with_nothing_for_the_country_still_says_so(kb: KnowledgeBase) -> None:
    result = answer(kb, Question("salary", "medical_laboratory_assistant"))  # no US pay figure for MLAs
    assert not result.found and "I do for Canada" in result.text


def test_a_named_career_is_answered_without_saying_it_was_assumed(kb: KnowledgeBase) -> None:
    header, newest, *_ = paragraphs(answer(kb, Question("salary", "phlebotomist")).text)
    assert header == "About phlebotomists in the US (assumed: name another country to switch):"
    assert "$41,810" in newest and "May 2023" in newest


def test_a_named_country_gets_its_own_facts(kb: KnowledgeBase) -> None:
    text = answer(kb, Question("certification", country_id="canada")).text
    assert (
        paragraphs(text)[0]
        == "About medical laboratory technicians in Canada (assumed: name another career to switch):"
    )
    for phrase in ["CSMLS", "regulated", "technologist", "Quebec"]:
        assert phrase in text
    assert "ASCP" not in text


@pytest.mark.parametrize(
    "country, phrases",
    [
        ("uk", ["HCPC", "IBMS", "biomedical scientist", "Band 5"]),
        ("australia", ["AIMS", "Medical Laboratory Technician", "VET", "Laboratory Technology"]),
        ("us", ["ASCP", "AMT"]),
    ],
)
def test_certification_by_country(kb: KnowledgeBase, country: str, phrases: List[str]) -> None:
    result = answer(kb, Question("certification", career_id=MLT, country_id=country))
    for phrase in phrases:
        assert phrase in result.text, phrase
    assert country not in result.other_countries and len(result.other_countries) == 3


@pytest.mark.parametrize(
    "topic, country, phrases",
    [
        ("without_degree", "canada", ["CSMLS", "accredited program", "medical laboratory assistant"]),
        ("without_degree", "uk", ["apprenticeship", "Level 3 (laboratory technician)", "HCPC"]),
        ("without_degree", "australia", ["VET", "bachelor's"]),
        ("without_degree", "us", ["60 semester hours", "phlebotomy"]),
        ("time_to_qualify", "canada", ["2-3-year", "CSMLS"]),
        ("time_to_qualify", "uk", ["IBMS Registration Training Portfolio", "don't give how long"]),
        ("time_to_qualify", "us", ["two years", "50 weeks"]),
    ],
)
def test_starting_without_a_degree_and_time_to_qualify_by_country(
    kb: KnowledgeBase, topic: str, country: str, phrases: List[str]
) -> None:
    result = answer(kb, Question(topic, career_id=MLT, country_id=country))
    for phrase in phrases:
        assert phrase in result.text, phrase
    if country != "us":
        assert "ASCP" not in result.text and "50 weeks" not in result.text


def test_us_only_education_facts_are_not_given_for_another_country(kb: KnowledgeBase) -> None:
    result = answer(kb, Question("education", career_id="phlebotomist", country_id="canada"))
    assert not result.found
    assert "for phlebotomists in Canada yet, so I won't guess. I do for the US." in result.text


def test_a_country_without_facts_on_the_topic_is_said_honestly(kb: KnowledgeBase) -> None:
    result = answer(kb, Question("outlook", career_id=MLT, country_id="uk"))
    assert not result.found
    assert "in the UK yet, so I won't guess. I do for the US, Canada and Australia." in result.text
    assert result.other_countries == ["us", "canada", "australia"]


def test_topics_that_do_not_differ_by_country_name_no_country(kb: KnowledgeBase) -> None:
    result = answer(kb, Question("duties", country_id="canada"))
    assert " in Canada" not in paragraphs(result.text)[0] and result.country_id is None


def test_an_ambiguous_name_says_which_job_it_answers_and_offers_the_other(kb: KnowledgeBase) -> None:
    result = answer(kb, Question("duties", career_id=MLT, said_as="clinical technician"))
    first, header, *_ = paragraphs(result.text)
    assert first.startswith('"Clinical technician" can mean two jobs')
    assert "Here is the medical laboratory technician" in first
    assert header == "About medical laboratory technicians:"
    assert result.other_careers == ["patient_care_clinical_technician"]
    other = answer(kb, Question("duties", career_id="patient_care_clinical_technician")).text
    assert "vital signs" in other and "ECG" in other


def test_related_careers_lists_each_with_a_sourced_summary(kb: KnowledgeBase) -> None:
    result = answer(kb, Question("related_careers"))
    assert result.other_careers == kb.career(MLT).related
    assert "- Phlebotomist: Draws blood" in result.text
    assert "genetic technologist" in result.text


def test_compare_technician_and_technologist(kb: KnowledgeBase) -> None:
    text = compare(kb, MLT, MLS).text
    assert text.startswith("Medical laboratory technician vs medical laboratory technologist:")
    for phrase in ["associate", "bachelor", "complex", "supervise", "$60,780 (May 2023)"]:
        assert phrase in text, phrase
    assert "a newer figure I could not confirm: $61,890 (May 2024)" in text
    assert paragraphs(text)[-1].startswith("Sources:")


def test_a_combined_figure_is_not_shown_as_two_careers_earning_the_same(kb: KnowledgeBase) -> None:
    """BLS's one median for technologists and technicians together must not read as 'no pay gap'."""
    pay = compare(kb, MLT, MLS).text.split("Pay in the US:")[1]
    assert pay.count("$60,780 (May 2023)") == 2
    assert "one and the same figure, for the two careers together" in pay
    assert "does not show the difference in pay" in pay


def test_compare_says_when_a_career_has_no_figure(kb: KnowledgeBase) -> None:
    text = compare(kb, "histotechnician", "cytotechnologist").text
    assert "- Histotechnician: no sourced figure yet." in text
    assert "tissue" in text and "cells" in text


@pytest.mark.parametrize(
    "name, career",
    [
        ("Lab Techs", MLT),
        ("MLT", MLT),
        ("mlts", MLT),
        ("clinical lab techs", MLT),
        ("technician", MLT),
        ("MLS", MLS),
        ("clinical laboratory scientists", MLS),
        ("technologist", MLS),
        ("phlebotomists", "phlebotomist"),
        ("histotech", "histotechnician"),
        ("cytotechs", "cytotechnologist"),
        ("x-ray tech", "radiologic_technologist"),
        ("phlebotomist", "phlebotomist"),
    ],
)
def test_career_names_resolve(kb: KnowledgeBase, name: str, career: str) -> None:
    match = kb.resolve_career(name)
    assert match is not None and match.career_id == career and match.ambiguous_name is None


def test_ambiguous_and_unknown_names(kb: KnowledgeBase) -> None:
    match = kb.resolve_career("Clinical Technicians")
    assert match is not None and match.career_id == MLT and match.ambiguous_name == "clinical technician"
    assert kb.resolve_career("astronaut") is None
    # "medical laboratory professional" is either lab job ("how much can I make as one?")
    match = kb.resolve_career("medical laboratory professionals")
    assert match is not None and match.career_id == MLT and match.ambiguous_name == "medical laboratory professional"
    assert kb.ambiguity("medical laboratory professional").careers == [MLT, MLS]


@pytest.mark.parametrize(
    "name, country",
    [
        ("Canada", "canada"),
        ("england", "uk"),
        ("the UK", "uk"),
        ("USA", "us"),
        ("aussie", "australia"),
        ("Aus", "australia"),
        ("CAMLPR", "canada"),  # regulators and certifying bodies say which country is meant
        ("SSMLT", "canada"),
        ("IBMS", "uk"),
        ("AIMS", "australia"),
    ],
)
def test_country_names_resolve(kb: KnowledgeBase, name: str, country: str) -> None:
    assert kb.resolve_country(name) == country


def test_every_figure_names_a_country(kb: KnowledgeBase) -> None:
    assert all(f.country for f in kb.all_facts() if f.figure)


def test_topics_overview_and_description(kb: KnowledgeBase) -> None:
    topics = topics_overview(kb)
    assert [t.id for t in topics] == ["duties", "education", "certification", "salary", "outlook", "related_careers"]
    sentence = describe_topics(topics)
    assert sentence.startswith("I can tell you about what the job involves day to day, ")
    assert "how fast the number of jobs is growing and related careers, for lab techs and related careers." in sentence


def test_a_job_the_file_does_not_cover_is_declined_not_answered_for_a_lab_career(kb: KnowledgeBase) -> None:
    result = answer(kb, Question("salary", not_covered="nurse"))
    assert result.text.startswith('"nurse" is outside what I know: I only cover medical laboratory technicians,')
    assert "https://www.bls.gov/ooh/" in result.text and "(2026)" in result.text
    assert "$" not in result.text  # no lab career's pay passed off as a nurse's
    assert not result.found and result.other_careers == kb.career_ids()


def test_a_named_career_wins_over_a_job_not_covered(kb: KnowledgeBase) -> None:
    # "do phlebotomists earn more than nurses?": answered for phlebotomists
    result = answer(kb, Question("salary", career_id="phlebotomist", not_covered="nurses"))
    assert result.found and "$41,810" in result.text


@pytest.mark.parametrize(
    "typed",
    [
        "![x](https://evil.example/pixel.png)",
        "[free money](https://evil.example)",
        "**nurse** <img src=x onerror=alert(1)> `code`",
        "www.evil.example/job",
        "astronaut " * 40,
    ],
)
def test_a_job_name_a_student_typed_is_repeated_as_plain_text(kb: KnowledgeBase, typed: str) -> None:
    result = answer(kb, Question("salary", not_covered=typed))
    echoed = result.text.split(" is outside what I know", 1)[0]
    assert "](" not in echoed and "![" not in echoed and "evil.example" not in echoed
    assert not re.search(r"(?<!\\)[*`<\[]", echoed)  # every markdown character is escaped
    assert len(echoed) <= 2 + 2 * 60


def test_specializations_are_lab_areas_and_separate_careers_are_not_passed_off_as_them(kb: KnowledgeBase) -> None:
    body = paragraphs(answer(kb, Question("specializations")).text)[1:]
    assert "blood bank" in body[0] and "microbiology" in body[0]  # the lab's own areas lead
    separate = next(p for p in body if "careers of their own" in p)
    assert "HT, PBT, CT" in separate


def test_an_answer_that_opens_with_yes_or_no_says_to_what(kb: KnowledgeBase) -> None:
    """A bare "Mostly no:" read as the reply to whatever else was asked (working during the program,
    continuing education) when the question went to the wrong topic."""
    for topic in [t.id for t in kb.topics()]:
        for career_id in kb.career_ids():
            for country_id in kb.country_ids():
                text = answer(kb, Question(topic, career_id=career_id, country_id=country_id)).text
                for line in paragraphs(text)[1:]:
                    assert not re.match(r"(-\s*)?(Mostly |Usually )?(yes|no)\b", line, re.IGNORECASE), (topic, line)


def test_a_topic_with_only_details_gives_them_as_its_overview() -> None:
    detail = Fact(text="Example College's program takes 24 months.", source="s", as_of=2026, detail=True)
    general = Fact(text="Programs take about two years.", source="s", as_of=2026)
    assert overview(CareerTopic(facts=[detail])) == [detail]
    assert overview(CareerTopic(facts=[detail, general])) == [general]


def test_what_a_phlebotomist_needs_is_answered_with_skills_not_a_technique_warning(kb: KnowledgeBase) -> None:
    # WHO's warning not to touch the vein again once the site is cleaned was once this topic's overview
    text = answer(kb, Question("skills", career_id="phlebotomist", country_id="us")).text
    first = text.split("\n\n")[1]
    assert "dexterity" in first and "WHO" not in first


@pytest.mark.parametrize(
    ("topic", "narrow"),
    [
        ("time_to_qualify", "trainee license processing"),  # California's licence paperwork
        ("advancement", "SB 334"),  # one California law
        ("work_environment", "reasonable accommodation"),  # the ADA
        ("specializations", "University of Utah"),  # one university's route to a single-area exam
        ("without_degree", "Unlicensed staff in California"),  # one state's rule for unlicensed staff
        ("related_careers", "registered nurses"),  # a nurse's pay, not a related career
        ("skills", "Baptist College"),  # one college's colour-vision standard
    ],
)
def test_a_technologist_topic_is_not_answered_with_one_narrow_rule(kb: KnowledgeBase, topic: str, narrow: str) -> None:
    # each was once the only non-detail fact of its topic, so "how long does it take to become an
    # MLS?" was answered with how long California takes to process a trainee licence
    text = answer(kb, Question(topic, career_id="medical_laboratory_technologist", country_id="us")).text
    assert narrow not in text


def test_whether_a_technologist_needs_a_degree_is_answered_with_the_bachelors_rule(kb: KnowledgeBase) -> None:
    text = answer(kb, Question("without_degree", career_id="medical_laboratory_technologist", country_id="us")).text
    assert "four-year degree" in text.split("\n\n")[1]
