"""Under `bangfu serve`, a page whose HTML differs from the last build's by the station's name
alone is indexed for search from its sections parsed with the name as NAME_SLOT
(mkdocs_memo.PageMemo._index_named); they are kept only when, the name put back, they are
exactly the sections the HTML itself parses into."""

from __future__ import annotations

from material.plugins.search.plugin import Parser

from generator.site.mkdocs_memo import NAME_SLOT, _parse, _section_view

NAME = "示范镇帮扶站"


def _storable(html: str) -> bool:
    parsed, slotted = _parse(Parser, html), _parse(Parser, html.replace(NAME, NAME_SLOT))
    return [_section_view(s, NAME) for s in parsed] == [_section_view(s) for s in slotted]


def test_sections_are_kept_only_where_the_name_is_text():
    text = f'<h1 id="intro">简介</h1><p>联系 <b>{NAME}</b>：电话</p><h2 id="more">更多</h2><p>{NAME}负责</p>'
    assert _storable(text)
    assert _storable(f'<p><a href="/{NAME}/" title="{NAME}">链接</a></p>')  # in markup only: not indexed text
    assert not _storable(f'<h2 id="{NAME}">标题</h2><p>正文</p>')  # a section's id: indexing differs
    entity = "".join(f"&#{ord(c)};" for c in NAME)
    assert not _storable(f"<p>{entity} 与 {NAME}</p>")  # the name also as character references
