"""The one Jinja2 renderer shared by the public site and the private records.

Templates are looked up in the station's own folder first (`<records>/../site_templates`
or a folder given explicitly), then in the project's `site_templates/` (Pelican's
habit). Autoescaping is on for everything we render, HTML and Markdown alike:
a name like `<script>` or `[x](y)` shows as text. Templates hold layout; the
filters below hold the little formatting logic there is.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import money
from .resources import TEMPLATES

PACKAGE_TEMPLATES = TEMPLATES


def zh_date(value) -> str:
    """2026-11-23 -> 2026年11月23日 (one date format everywhere)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def iso_date(value) -> str:
    return value.isoformat() if isinstance(value, date) else ""


_MD_ENTITIES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "\\": "&#92;", "|": "&#124;", "[": "&#91;", "]": "&#93;", "*": "&#42;", "_": "&#95;",
    "`": "&#96;", "#": "&#35;", "!": "&#33;", "~": "&#126;", "$": "&#36;", "{": "&#123;",
    "}": "&#125;", "\r": " ", "\n": " ", "\t": " ",
})


def md_cell(value) -> Markup:
    """Text safe inside Markdown (a table cell or a line): HTML and Markdown syntax both
    become entities in one pass, so `<script>`, `|` and `[x](y)` show as typed."""
    text = "" if value is None else str(value)
    return Markup(text.translate(_MD_ENTITIES))


_BYTECODE: list = [None]


class QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """A cache that never fails a build: a compiled template that cannot be read or written
    (the folder deleted meanwhile, a full disk) is simply compiled again."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError):
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def cache_compiled_templates(folder: Path | None) -> None:
    """Keep compiled templates in `folder` (the build's work folder) between runs, keyed by
    each template's source, so an edited template is compiled again: saves about a second
    per build. Environments made afterwards use it; None turns it off."""
    cache = None
    if folder is not None:
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            cache = QuietBytecodeCache(str(folder))
        except OSError:
            cache = None
    _BYTECODE[0] = cache


def environment(extra_dirs: list[Path] | tuple = ()) -> jinja2.Environment:
    dirs = [str(Path(d)) for d in extra_dirs if Path(d).is_dir()] + [str(PACKAGE_TEMPLATES)]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs),
        bytecode_cache=_BYTECODE[0],
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update({
        "yuan": money.yuan,
        "capitals": money.capitals,
        "zh_date": zh_date,
        "iso_date": iso_date,
        "md_cell": md_cell,
    })
    return env


def station_environment(records) -> jinja2.Environment:
    """The renderer for printed pages; a station's own `site_templates/` next to its records wins.
    One per folder and process: each template is compiled once (Jinja reloads a template
    whose file changed)."""
    folder = Path(records.folder).parent / "site_templates"
    return _station_environment(str(folder), folder.is_dir())


@lru_cache(maxsize=8)
def _station_environment(station_templates: str, present: bool) -> jinja2.Environment:
    return environment([Path(station_templates)])


def qr_svg(url: str | None, title: str) -> Markup | None:
    """An inline SVG QR code (about 30 mm) for printing, or None without an address."""
    if not url:
        return None
    import segno

    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=0.8, unit="mm", title=title))
