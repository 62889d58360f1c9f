"""Fuzzing the renderer: arbitrary cell text in names, units and titles renders to
well-formed HTML (the real Markdown pipeline of mkdocs.yml) whose text equals the
input, masked where the privacy rule says so."""

from __future__ import annotations

import dataclasses
import html
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from mkdocs.config import load_config
from mkdocs.utils.meta import get_data

from generator.masking import mask_name
from generator.reading import read_records
from generator.site import render_site
from generator.site.common import public_text
from generator.site.mkdocs_run import MKDOCS_YML

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from station import write_station  # noqa: E402

pytestmark = pytest.mark.slow  # the full suite runs these; the fast lane leaves them out

TODAY = date(2024, 4, 3)  # the tiny station's 帮扶公示 GS-2024-02 is running
EXAMPLES = int(__import__("os").environ.get("FUZZ_EXAMPLES", "40"))

hostile = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
    st.sampled_from(["<script>alert(1)</script>", "|a|b|", "[x](javascript:alert(1))", "**粗**", "`code`",
                     "&amp;", "<!--", "]]>", "{{ x }}", "{% raw %}", "# 标题", "> 引用", "- 列表", "\\|",
                     "王<b>五", "欧阳&峰", "阿依古丽·买买提", "\u202e反转", "a\nb", "\t", "&#124;", "$x$"]))


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    folder = write_station(tmp_path_factory.mktemp("render"))
    return read_records(folder).records


@pytest.fixture(scope="module")
def md(tmp_path_factory):
    cfg = load_config(str(MKDOCS_YML), docs_dir=str(tmp_path_factory.mktemp("docs")))
    return lambda text: markdown.Markdown(extensions=cfg["markdown_extensions"],
                                          extension_configs=cfg["mdx_configs"]).convert(text)


def normal(text: str) -> str:
    return " ".join(text.split())


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Strict(HTMLParser):
    """Balanced tags (every element closed in order), and the text of each table cell."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.cells, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "td":
            self.cells.append("")

    def handle_startendtag(self, tag, attrs):  # <br />: a void element, nothing to close
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        if "td" in self.stack:
            self.cells[-1] += data


def parse(out: str) -> Strict:
    parser = Strict()
    parser.feed(out)
    parser.close()
    assert parser.stack == [], f"unclosed {parser.stack}"
    return parser


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile, employer=hostile, title=hostile)
def test_notice_page_renders_hostile_text_as_text(station, md, name, employer, title):
    workers = [dataclasses.replace(w, name=name, employer=employer) if w.archive_no == "SF-0001" else w
               for w in station.workers]
    batches = [dataclasses.replace(b, title=title) if b.batch_no == "GS-2024-02" else b for b in station.batches]
    records = dataclasses.replace(station, workers=workers, batches=batches)
    for attr in ("worker_by_no", "batch_by_no", "_batch_ends"):
        records.__dict__.pop(attr, None)
    docs, _ = render_site(records, TODAY)
    pages = [p for p in docs.files if p.startswith("notices/") and "gs-2024-02" in p.lower() and p.endswith(".md")]
    assert pages, sorted(docs.files)[:20]
    body, meta = get_data(docs.files[pages[0]])
    out = md(body)
    page = parse(out)  # well-formed: every element closed, in order
    assert "script" not in page.tags
    found = [normal(c) for c in page.cells]
    masked = normal(mask_name(normal(public_text(name))))
    assert masked in found or not masked, (repr(name), repr(employer), found[:4])
    shown_employer = normal(public_text(employer))
    assert shown_employer in found or not shown_employer
    assert html.unescape(meta["title"]).strip() or not normal(public_text(title))
