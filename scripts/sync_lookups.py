"""Write data/lookups.yml, the NLU lookup tables for the `career`, `other_career` (jobs not covered)
and `country` entities, from the names in the knowledge file, so that the names the bot understands
and the names it can resolve are one list. Run by `make lookups`; a test fails when the file is out of date.

    python scripts/sync_lookups.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import KnowledgeBase, load_knowledge

LOOKUPS = Path(__file__).resolve().parent.parent / "data" / "lookups.yml"


def with_plurals(names: List[str]) -> List[str]:
    """Each name, its plural, and with a typographic apostrophe as phones type it ("pathologists’")."""
    out: List[str] = []
    for name in names:
        for form in (name, name if name.endswith(("s", "y")) else f"{name}s"):
            for typed in (form.lower(), form.lower().replace("'", "\u2019")):
                if typed not in out:
                    out.append(typed)
    return out


def render(kb: KnowledgeBase) -> str:
    lines = [
        'version: "3.1"',
        "",
        "# Generated from bot/knowledge/careers.yml by `make lookups`: do not edit by hand.",
        "nlu:",
    ]
    for entity, names in (
        ("career", with_plurals(kb.career_names())),
        ("other_career", with_plurals(kb.other_career_names())),
        ("country", kb.country_names()),
    ):
        # longest first: Rasa joins a table into one regex alternation, which takes the first
        # name that matches at a position ("pathologists" before "pathologists' assistant")
        ordered = sorted(names, key=len, reverse=True)
        lines += [f"- lookup: {entity}", "  examples: |"] + [f"    - {n}" for n in ordered]
    return "\n".join(lines) + "\n"


def main() -> int:
    expected = render(load_knowledge())
    if "--check" in sys.argv[1:]:
        if not LOOKUPS.exists() or LOOKUPS.read_text(encoding="utf-8") != expected:
            print(f"{LOOKUPS} is out of date: run `make lookups`.")
            return 1
        return 0
    LOOKUPS.write_text(expected, encoding="utf-8")
    print(f"wrote {LOOKUPS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
