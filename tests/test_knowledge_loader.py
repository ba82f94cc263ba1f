"""Loading and validating the knowledge file: the real file loads, and every kind of malformation
is rejected with a message naming the file, the entry and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from bot import DEFAULT_KNOWLEDGE_FILE, KnowledgeBase, KnowledgeFileError, load_knowledge

MLT = "medical_laboratory_technician"


def salary_fact(data: Dict[str, Any], index: int) -> Dict[str, Any]:
    return data["careers"][MLT]["topics"]["salary"]["facts"][index]


def rejects(path: Path) -> KnowledgeFileError:
    with pytest.raises(KnowledgeFileError) as caught:
        load_knowledge(path)
    return caught.value


def test_the_shipped_knowledge_file_is_valid() -> None:
    kb = load_knowledge(DEFAULT_KNOWLEDGE_FILE)
    assert kb.default_career == MLT
    for topic in ("duties", "education", "certification", "salary", "employers"):
        assert kb.career_topic(topic) is not None, topic
    assert len(kb.career_ids()) >= 6


def test_every_fact_in_the_shipped_file_has_a_source_and_a_year(knowledge_data: Dict[str, Any]) -> None:
    for career in knowledge_data["careers"].values():
        for topic_id, topic in career["topics"].items():
            for fact in topic.get("facts", []):
                assert fact["source"] in knowledge_data["sources"], (topic_id, fact["text"])
                assert isinstance(fact["as_of"], int), (topic_id, fact["text"])


def test_every_source_in_the_shipped_file_is_cited(knowledge_data: Dict[str, Any]) -> None:
    """A source no fact, brief, explanation or pointer cites is a dropped fact's leftover or a
    mistyped id (the loader allows it: an edit that removes facts need not remove their sources)."""
    cited = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("source"), str):
                cited.add(node["source"])
            for key, value in node.items():
                if key != "sources":
                    collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(knowledge_data)
    assert sorted(set(knowledge_data["sources"]) - cited) == []


def test_missing_file(tmp_path: Path) -> None:
    error = rejects(tmp_path / "nope.yml")
    assert "nope.yml" in str(error) and "does not exist" in str(error)


def test_invalid_yaml_names_the_line(write_knowledge: Callable[..., Path]) -> None:
    path = write_knowledge(text="version: 1\ntopics:\n  duties: [unclosed\n")
    error = rejects(path)
    assert str(path) in str(error)
    assert "not valid YAML" in str(error) and "line" in str(error)


def test_top_level_must_be_a_mapping(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(text="- just\n- a list\n"))
    assert "top level must be a mapping" in str(error)


def test_duplicate_keys_are_rejected_not_silently_overwritten(write_knowledge: Callable[..., Path]) -> None:
    text = DEFAULT_KNOWLEDGE_FILE.read_text(encoding="utf-8")
    duplicated = text.replace(
        "\nsources:\n", "\nsources:\n  ascls_licensure:\n    name: x\n    title: x\n    year: 2020\n"
    )
    error = rejects(write_knowledge(text=duplicated))
    assert "duplicate key 'ascls_licensure'" in str(error)


def test_missing_source_names_entry_and_field(write_knowledge: Callable[..., Path]) -> None:
    path = write_knowledge(lambda d: salary_fact(d, 1).pop("source"))
    error = rejects(path)
    message = str(error)
    assert str(path) in message
    assert f"entry careers.{MLT}.topics.salary.facts[1], field 'source': field required" in message
    assert error.path == str(path) and len(error.problems) == 1


def test_unknown_source_reference(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: salary_fact(d, 0).update(source="made_up")))
    assert f"entry careers.{MLT}.topics.salary.facts[0], field 'source': unknown source 'made_up'" in str(error)


def test_misspelled_field_is_an_error(write_knowledge: Callable[..., Path]) -> None:
    def misspell(data: Dict[str, Any]) -> None:
        salary_fact(data, 2)["sorce"] = salary_fact(data, 2).pop("source")

    message = str(rejects(write_knowledge(misspell)))
    assert "facts[2], field 'sorce': extra fields not permitted" in message
    assert "facts[2], field 'source': field required" in message


@pytest.mark.parametrize("bad_year", ["last year", 1850, 3024, None])
def test_bad_year(write_knowledge: Callable[..., Path], bad_year: Any) -> None:
    error = rejects(write_knowledge(lambda d: salary_fact(d, 0).update(as_of=bad_year)))
    assert f"entry careers.{MLT}.topics.salary.facts[0], field 'as_of'" in str(error)


def test_empty_text(write_knowledge: Callable[..., Path]) -> None:
    def blank(data: Dict[str, Any]) -> None:
        data["careers"][MLT]["topics"]["duties"]["facts"][0]["text"] = "   "

    error = rejects(write_knowledge(blank))
    assert f"entry careers.{MLT}.topics.duties.facts[0], field 'text'" in str(error)


def test_figure_without_period(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: salary_fact(d, 0).pop("period")))
    assert "facts[0], field 'period': a figure needs a 'period'" in str(error)


def test_figure_value_must_match_its_text(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: salary_fact(d, 1).update(value="$99,999")))
    assert "facts[1], field 'value': '$99,999' does not appear in the fact's text" in str(error)


def test_topic_without_facts(write_knowledge: Callable[..., Path]) -> None:
    def empty(data: Dict[str, Any]) -> None:
        data["careers"][MLT]["topics"]["employers"]["facts"] = []

    error = rejects(write_knowledge(empty))
    assert f"entry careers.{MLT}.topics.employers, field 'unknown': give at least one fact" in str(error)


def test_unknown_follow_up_topic(write_knowledge: Callable[..., Path]) -> None:
    def follow(data: Dict[str, Any]) -> None:
        data["careers"][MLT]["topics"]["salary"]["follow_ups"] = ["education", "astrology"]

    error = rejects(write_knowledge(follow))
    assert f"entry careers.{MLT}.topics.salary, field 'follow_ups[1]': unknown topic 'astrology'" in str(error)


def test_career_topic_missing_from_catalog(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d["topics"].pop("employers")))
    assert f"entry careers.{MLT}, field 'topics': unknown topic 'employers'" in str(error)


def test_unknown_default_career(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d.update(default_career="astronaut")))
    assert "field 'default_career': unknown career 'astronaut'" in str(error)


def test_bad_identifier_key(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d["sources"].update({"Bad Id": d["sources"]["ascp_cmp"]})))
    assert "entry sources, a key: 'Bad Id' is not a valid id" in str(error)


def test_missing_top_level_section(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d.pop("sources")))
    assert "entry (top level), field 'sources': field required" in str(error)


def test_source_with_a_malformed_url(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d["sources"]["ascp_cmp"].update(url="ascp.org/boc")))
    assert "entry sources.ascp_cmp, field 'url'" in str(error)


def test_all_problems_are_reported_at_once(write_knowledge: Callable[..., Path]) -> None:
    def several(data: Dict[str, Any]) -> None:
        salary_fact(data, 0).pop("source")
        salary_fact(data, 1)["as_of"] = "soon"

    error = rejects(write_knowledge(several))
    assert len(error.problems) == 2
    assert "(2 problems)" in str(error)


def test_unknown_country_on_a_fact(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: salary_fact(d, 0).update(country="france")))
    assert f"entry careers.{MLT}.topics.salary.facts[0], field 'country': unknown country 'france'" in str(error)


def test_credential_levels_are_names_of_their_career_told_apart_by_a_fact(write_knowledge: Callable[..., Path]) -> None:
    def stranger(data: Dict[str, Any]) -> None:
        data["careers"]["histotechnician"]["levels"]["names"][1].append("cytotech")

    error = rejects(write_knowledge(stranger))
    assert "entry careers.histotechnician.levels, field 'names[1][2]': 'cytotech' is not a name of this career" in str(
        error
    )

    def nothing_tells_them_apart(data: Dict[str, Any]) -> None:
        data["careers"]["histotechnician"]["levels"]["topic"] = "salary"
        data["careers"]["histotechnician"]["topics"]["salary"]["facts"] = [
            f for f in data["careers"]["histotechnician"]["topics"]["salary"]["facts"] if "HTL" not in f["text"]
        ]

    error = rejects(write_knowledge(nothing_tells_them_apart))
    assert "entry careers.histotechnician.levels, field 'topic': no fact under 'salary' names two of the levels" in str(
        error
    )


def test_a_name_may_mean_only_one_career(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d["careers"]["phlebotomist"]["aliases"].insert(0, "Lab Tech")))
    assert "entry careers.phlebotomist, field 'aliases[0]': 'Lab Tech' already names careers." in str(error)


def test_a_topic_needs_facts_or_a_reason_there_are_none(write_knowledge: Callable[..., Path]) -> None:
    def neither(data: Dict[str, Any]) -> None:
        data["careers"]["histotechnician"]["topics"]["salary"] = {"follow_ups": []}

    error = rejects(write_knowledge(neither))
    assert "entry careers.histotechnician.topics.salary, field 'unknown': give at least one fact" in str(error)


def test_a_topic_cannot_have_facts_and_be_unknown(write_knowledge: Callable[..., Path]) -> None:
    def both(data: Dict[str, Any]) -> None:
        data["careers"][MLT]["topics"]["salary"]["unknown"] = "no idea"

    error = rejects(write_knowledge(both))
    assert f"entry careers.{MLT}.topics.salary, field 'unknown': a topic with facts cannot also be 'unknown'" in str(
        error
    )


def test_unknown_related_and_compared_careers(write_knowledge: Callable[..., Path]) -> None:
    def dangling(data: Dict[str, Any]) -> None:
        data["careers"]["phlebotomist"]["related"].append("astronaut")
        data["careers"]["phlebotomist"]["compare_with"] = "pilot"

    message = str(rejects(write_knowledge(dangling)))
    assert "entry careers.phlebotomist, field 'related[2]': unknown career 'astronaut'" in message
    assert "entry careers.phlebotomist, field 'compare_with': unknown career 'pilot'" in message


def test_ambiguous_name_must_name_known_careers(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d["ambiguous_names"]["clinical technician"]["careers"].append("nurse")))
    assert "entry ambiguous_names.clinical technician, field 'careers[2]': unknown career 'nurse'" in str(error)


def test_a_job_not_covered_must_not_also_name_a_career(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d["other_careers"]["names"].append("Phlebotomist")))
    index = len(load_knowledge().other_career_names())
    assert f"entry other_careers, field 'names[{index}]': 'Phlebotomist' already names careers.phlebotomist" in str(
        error
    )


def test_a_country_not_covered_must_not_also_name_a_covered_one(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d["other_countries"].append("Ontario")))
    assert "'Ontario' already names countries.canada" in str(error) and "other_countries" in str(error)


def test_the_pointer_for_jobs_not_covered_needs_a_known_source(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d["other_careers"]["pointer"].update(source="nowhere")))
    assert "entry other_careers.pointer, field 'source': unknown source 'nowhere'" in str(error)


def test_the_command_line_check_names_the_problem_and_fails(write_knowledge: Callable[..., Path]) -> None:
    import subprocess
    import sys

    def drop_a_source(data: Dict[str, Any]) -> None:
        del data["careers"]["phlebotomist"]["topics"]["salary"]["facts"][0]["source"]

    bad = write_knowledge(drop_a_source)
    result = subprocess.run([sys.executable, "-m", "bot", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1 and "careers.phlebotomist.topics.salary.facts[0], field 'source'" in result.stderr
    good = subprocess.run([sys.executable, "-m", "bot"], capture_output=True, text=True)
    assert good.returncode == 0 and "OK" in good.stdout


def test_a_phrasing_on_a_fact_for_another_country_must_name_it(write_knowledge: Callable[..., Path]) -> None:
    # "how long is the program?" on a fact for Canada would answer a US student with Canada's rules
    def canadian(answers: List[str]) -> Callable[[Dict[str, Any]], None]:
        return lambda d: salary_fact(d, 0).update(country="canada", answers=answers)

    error = rejects(write_knowledge(canadian(["how much do MLTs make in Canada?", "how much do MLTs make?"])))
    assert f"entry careers.{MLT}.topics.salary.facts[0], field 'answers[1]'" in str(error)
    assert "is on a fact for Canada but does not name it" in str(error) and "answers[0]" not in str(error)
    load_knowledge(write_knowledge(canadian(["what do MLTs earn in Ontario?", "what's CSMLS pay data?"])))


def test_an_answer_about_this_program_must_name_the_program(write_knowledge: Callable[..., Path]) -> None:
    # "is this program accredited?" on one college's fact would answer every college's students
    error = rejects(write_knowledge(lambda d: salary_fact(d, 0).update(answers=["Is this program accredited?"])))
    assert f"entry careers.{MLT}.topics.salary.facts[0], field 'answers[0]'" in str(error)
    assert "name the program" in str(error)
    heading_only = ["How many are admitted to the program?"]
    heading = rejects(write_knowledge(lambda d: salary_fact(d, 0).update(answers=heading_only)))
    assert "field 'answers[0]'" in str(heading) and "name the program" in str(heading)


def test_a_fact_that_says_again_what_another_from_its_page_says_is_rejected(
    write_knowledge: Callable[..., Path],
) -> None:
    # a reply showing both would say the same thing twice: the two become one fact
    def restate(data: Dict[str, Any]) -> None:
        first = salary_fact(data, 0)
        data["sources"]["copy"] = dict(data["sources"][first["source"]])  # another id, the same page
        restated = {"text": f"As a page puts it, {first['text']}", "source": "copy", "as_of": first["as_of"]}
        data["careers"][MLT]["topics"]["salary"]["facts"].append(restated)

    error = rejects(write_knowledge(restate))
    assert f"entry careers.{MLT}.topics.salary.facts[" in str(error)
    assert "field 'text': says again what facts[0], from the same page, says" in str(error)


def test_facts_alike_in_words_but_not_in_figures_or_page_are_kept(
    write_knowledge: Callable[..., Path], knowledge_data: Dict[str, Any]
) -> None:
    first = salary_fact(knowledge_data, 0)

    def add(text: str, source: str) -> Callable[[Dict[str, Any]], None]:
        def change(data: Dict[str, Any]) -> None:
            data["careers"][MLT]["topics"]["salary"]["facts"].append(
                {"text": text, "source": source, "as_of": first["as_of"]}
            )
            data["sources"]["elsewhere"] = {**data["sources"][first["source"]], "url": "https://example.org/other"}

        return change

    other_year = first["text"].replace(str(first["as_of"]), str(first["as_of"] - 1), 1)
    assert other_year != first["text"]
    load_knowledge(write_knowledge(add(other_year, first["source"])))  # a figure of another year
    load_knowledge(write_knowledge(add(first["text"], "elsewhere")))  # the same words from another page


def test_a_name_may_mean_only_one_region(write_knowledge: Callable[..., Path]) -> None:
    error = rejects(write_knowledge(lambda d: d["countries"]["canada"]["regions"]["quebec"].append("Ontario")))
    where = "entry countries.canada.regions, field 'quebec[3]'"
    expected = f"{where}: 'Ontario' also names countries.canada.regions.ontario"
    assert expected in str(error)


def test_regions_are_told_apart_by_their_names_and_regulators(kb: KnowledgeBase) -> None:
    assert kb.regions_named("Do I need a licence in Ontario?") == {"ontario"}
    assert kb.regions_named("how do I register with the OPTMQ") == {"quebec"}
    assert kb.regions_named("moving from West Virginia to California") == {"west_virginia", "california"}
    assert kb.regions_named("how do I become an MLT?") == frozenset()
