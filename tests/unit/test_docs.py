"""The README is the first five minutes; the reference lives in docs/, every page linked and every link alive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def links(page: Path) -> list[Path]:
    """The local files a Markdown page links to or shows (web addresses left out)."""
    return [(page.parent / target).resolve() for target in LINK.findall(page.read_text(encoding="utf-8"))
            if "://" not in target]


def test_the_readme_is_short_and_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 120
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Set-up: two commands"
    assert "make run" in text and "make test" in text


def test_every_docs_page_is_linked_from_the_readme():
    linked = set(links(ROOT / "README.md"))
    pages = sorted((ROOT / "docs").glob("*.md"))
    assert pages
    assert [p.name for p in pages if p.resolve() not in linked] == []


@pytest.mark.parametrize("page", ["README.md", *sorted(p.relative_to(ROOT).as_posix()
                                                           for p in (ROOT / "docs").glob("*.md"))])
def test_every_local_link_leads_to_a_file(page):
    missing = [str(t) for t in links(ROOT / page) if not t.exists()]
    assert missing == []
