"""The notices' HTML tables taken out of Markdown's HTML parsing (generator/site/raw_tables.py)
convert to exactly what converting the whole page gives: HTML, anchors, table of contents."""

from __future__ import annotations

import random
from types import SimpleNamespace

import markdown
import pytest
from mkdocs.structure.pages import _RawHTMLPreprocessor
from pymdownx.slugs import slugify

from generator.render import environment
from generator.site.raw_tables import CLOSE, OPEN, RawTables

NASTY = ["王*明", "a & b", "<b>粗</b>", "x</div>y", "</td></tr>", '"引号"', "'单'", "&amp;", "&#39;", "`代码`",
         "**星**", "_下_", "[链](x.md)", "\\", "<!-- c -->", "{ .cls }", "#", "  两  空格  ", "\t制表", "名\x02单\x03",
         "\u00a0", "&nbsp;", "😀", "1,000.00", "—", "<div>", "<table>", "]]>", "<?x?>", "\x02wzxhzdk:0\x03"]


def _rows(rng, count):
    def text():
        return "".join(rng.choice(NASTY + ["张", "工会", " "]) for _ in range(rng.randint(0, 4)))
    return [SimpleNamespace(no=i, name=text(), employer=text(), category=text(), item=text(), amount_text=text())
            for i in range(1, count + 1)]


def _page(rng, amounts=True, before="前言。\n\n", after="\n\n后记。\n\n"):
    env = environment()
    tpl = env.from_string('{% import "site/_macros.j2" as m with context %}'
                          "# 标题 {{ t }}\n\n" + before + "{{ m.notice_table(rows, amounts) }}" + after
                          + "{{ m.notice_table(rows2, amounts) }}\n\n## 汇总\n\n| a | b |\n|--|--|\n| 1 | 2 |\n")
    return tpl.render(t=rng.choice(NASTY), rows=_rows(rng, rng.randint(0, 30)), rows2=_rows(rng, 3), amounts=amounts)


def _convert(text: str, tables: bool):
    extensions = ["admonition", "attr_list", "tables", "toc"] + ([RawTables()] if tables else [])
    md = markdown.Markdown(extensions=extensions,
                           extension_configs={"toc": {"permalink": False, "slugify": slugify(case="lower")}})
    raw = _RawHTMLPreprocessor()
    raw._register(md)
    html = md.convert(text)
    taken = md.preprocessors["bangfu_raw_tables"].kept if tables else []
    return (html, raw.present_anchor_ids, md.toc_tokens), len(taken)


@pytest.mark.parametrize("seed", range(40))
def test_same_conversion_as_the_whole_page(seed):
    rng = random.Random(seed)
    page = _page(rng, amounts=seed % 2 == 0)
    whole, _ = _convert(page, False)
    taken_out, taken = _convert(page, True)
    assert taken_out == whole
    assert taken == 2  # both tables skipped the HTML parsers
    assert "\x02" not in taken_out[0] and "bfrawtable" not in taken_out[0]


@pytest.mark.parametrize("case", ["no blank line", "indented", "in admonition", "id attribute", "extra line",
                                  "no end", "text after", "comment"])
def test_other_blocks_stay_in_the_markdown(case):
    rng = random.Random(7)
    page = _page(rng)
    if case == "no blank line":
        page = page.replace("前言。\n\n" + OPEN, "前言。\n" + OPEN)
    elif case == "indented":
        page = page.replace("\n" + OPEN, "\n  " + OPEN, 1)
    elif case == "in admonition":
        block = page[page.index(OPEN):page.index(CLOSE) + len(CLOSE)]
        indented = "".join("    " + line + "\n" for line in block.split("\n"))
        page = page.replace("前言。\n\n", '!!! note "注"\n\n' + indented + "\n")
    elif case == "id attribute":
        page = page.replace('<th scope="col">姓名</th>', '<th scope="col" id="who">姓名</th>', 1)
    elif case == "extra line":
        page = page.replace("<tbody>\n", "<tbody>\n<!-- x -->\n", 1)
    elif case == "no end":
        page = page.replace("</table>\n</div>", "</table>", 1)
    elif case == "text after":
        page = page.replace("</table>\n</div>\n\n后记", "</table>\n</div>\n后记", 1)
    elif case == "comment":
        page = page.replace("</td>", "<!-- </td> --></td>", 1)
    whole, _ = _convert(page, False)
    taken_out, taken = _convert(page, True)
    assert taken_out == whole
    assert taken == (2 if case == "in admonition" else 1)  # the block in the admonition, or the first, stays


def test_the_template_block_is_taken():
    """The table as the template writes it is taken out; the extension's repr is stable."""
    from generator.site.raw_tables import _table_end

    page = _page(random.Random(1)).replace("\x02", "").replace("\x03", "")  # as Markdown's normalisation
    lines = page.split("\n")
    start = lines.index(OPEN)
    assert _table_end(lines, start) > start
    assert repr(RawTables()) == repr(RawTables())  # the kept pages' key has no memory address


def test_mkdocs_build_uses_it(monkeypatch, tmp_path):
    """run_mkdocs adds the extension to the configuration MkDocs converts with."""
    import mkdocs.commands.build as mk_build

    from generator.site import mkdocs_run

    seen = {}

    def fake_build(cfg, **kw):
        seen["extensions"] = list(cfg["markdown_extensions"])

    monkeypatch.setattr(mk_build, "build", fake_build)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# x\n", encoding="utf-8")
    words = mkdocs_run.jieba_dictionary(tmp_path, [])
    mkdocs_run.run_mkdocs(docs, tmp_path / "site", site_name="站", nav=["index.md"], site_url=None, station="站",
                          date_text="2026年1月1日", jieba_dict=words, pages=1)
    assert any(isinstance(e, RawTables) for e in seen["extensions"])
