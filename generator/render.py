"""The one Jinja2 renderer shared by the public site and the private records.

Templates are looked up in the station's own folder first (`<records>/../site_templates`
or a folder given explicitly), then in the project's `site_templates/` (Pelican's
habit). Autoescaping is on for everything we render, HTML and Markdown alike:
a name like `<script>` or `[x](y)` shows as text. Templates hold layout; the
filters below hold the little formatting logic there is.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.filters import do_batch as _jinja_batch
from markupsafe import Markup, escape

from . import money
from .resources import TEMPLATES

PACKAGE_TEMPLATES = TEMPLATES


def zh_date(value) -> str:
    """2026-11-23 -> 2026年11月23日 (one date format everywhere)."""
    if value.__class__ is date:  # most values: looked up, a build prints the same days again and again
        text = _DAYS.get(value)
        if text is None:
            text = f"{value.year}年{value.month}月{value.day}日"
            if len(_DAYS) < _DAYS_LIMIT:
                _DAYS[value] = text
        return text
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


_DAYS: dict = {}  # date -> zh_date text, for the dates printed so far (at most _DAYS_LIMIT)
_DAYS_LIMIT = 100_000


def batch(value, linecount: int, fill_with=None):
    """Jinja's `batch` filter: the same lists of `linecount` items (the last one filled with
    `fill_with` when given), made by slicing where the value is a list (the dossiers' label and
    value pairs, about twenty rows a dossier), not by a generator appending item by item."""
    if value.__class__ is list and fill_with is None and linecount.__class__ is int and linecount > 0:
        return [value[i:i + linecount] for i in range(0, len(value), linecount)]
    return _jinja_batch(value, linecount, fill_with)


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
GENERATOR_VERSION = "e2"  # change with _CodeGenerator's output


class QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """A cache that never fails a build: a compiled template that cannot be read or written
    (the folder deleted meanwhile, a full disk) is simply compiled again. Keyed also by the
    version of our code generator (_CodeGenerator), whose code differs from Jinja's."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return f"{super().get_cache_key(name, filename)}-{GENERATOR_VERSION}"

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


_HTML_SPECIAL = re.compile("[&<>\"']")


def escape_output(value):
    """What `{{ value }}` prints with autoescaping: exactly markupsafe.escape's text, made faster
    for the common cases, which a 20,000-worker build meets millions of times: a plain str with
    nothing to escape is printed as it is, an int as its digits, without a Markup object each,
    and a Markup as it is (escape() makes an equal copy of it). Everything else (text with
    & < > " ', a subclass of Markup, dates, Undefined) goes through escape()."""
    cls = value.__class__
    if cls is str:
        if value in _SAFE:
            return value
        if _HTML_SPECIAL.search(value) is None:
            if len(value) <= _SAFE_LENGTH and len(_SAFE) < _SAFE_LIMIT:
                _SAFE.add(value)
            return value
    elif cls is int:
        return str(value)
    elif cls is Markup:  # already safe (a dossier's whole body): escape() would copy it into a new Markup
        return value
    return escape(value)


# Short texts printed so far with nothing to escape (labels, dates, amounts, states: a dossier
# prints hundreds of them, mostly the same from one dossier to the next): found in a set is
# cheaper than searching each again. Short only, and at most _SAFE_LIMIT of them.
_SAFE: set = set()
_SAFE_LENGTH = 24
_SAFE_LIMIT = 200_000


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator with `{{ … }}` printed through escape_output when autoescaping
    (the environment's `escape_output`); any other case compiles as Jinja does.

    The two commonest steps of a page are done inline, without a function call each (a
    20,000-worker build prints about nine million values and looks up five million attributes
    in its dossiers alone): a printed text already known to need no escaping (escape_output's
    set of safe texts) is printed as it is, and `name.attr` is Python's getattr where the
    object has the attribute; everything else goes through escape_output and Jinja's
    environment.getattr (item lookup, undefined), so the output is exactly what they give."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        if finalize.src is not None:
            self.write("environment.escape_output(")
            self.write(finalize.src)
            return
        self.write("(_bangfu_text if (_bangfu_text := ")

    def _output_child_post(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape or finalize.src is not None:
            super()._output_child_post(node, frame, finalize)
            return
        self.write(").__class__ is str and _bangfu_text in _bangfu_safe"
                   " else environment.escape_output(_bangfu_text))")

    @optimizeconst
    def visit_Getattr(self, node, frame) -> None:
        target = node.node
        if self.environment.is_async or self.environment.sandboxed or not isinstance(target, nodes.Name) \
                or target.ctx != "load":
            super().visit_Getattr(node, frame)
            return
        # the object is a name: evaluated twice where it lacks the attribute, with no side effect
        self.write("(_bangfu_attr if (_bangfu_attr := getattr(")
        self.visit(target, frame)
        self.write(f", {node.attr!r}, missing)) is not missing else environment.getattr(")
        self.visit(target, frame)
        self.write(f", {node.attr!r}))")

    def visit_Template(self, node, frame=None) -> None:
        super().visit_Template(node, frame)
        self.writeline("_bangfu_safe = environment.safe_texts")  # escape_output's set, looked up by the pages


class _Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator
    escape_output = staticmethod(escape_output)
    safe_texts = _SAFE


class Rendered:
    """A template without variables (a stylesheet) as text for `{{ name }}`: rendered once,
    and again only when Jinja loads it anew (its file changed), where an `{% include %}` renders
    it for every page (about a tenth of a dossier's rendering)."""

    __slots__ = ("env", "name", "template", "text")

    def __init__(self, env: jinja2.Environment, name: str):
        self.env, self.name = env, name
        self.template: jinja2.Template | None = None
        self.text = ""

    def __html__(self) -> str:
        template = self.env.get_template(self.name)
        if template is not self.template:
            self.template, self.text = template, template.render()
        return self.text


class Settled:
    """One template rendered many times (a build's 20,000 dossiers): Jinja checks at every
    `{% extends %}` and every stylesheet (Rendered) whether the template's file changed (a stat
    and a look-up each, about a tenth of a dossier's rendering). Here only the first render in
    each process checks them (and so takes an edited template, as `bangfu serve` expects); the
    others render with the templates it found.

    Those others also skip the walk of the template's globals that each `Template.render` makes
    (a ChainMap of the template's and the environment's, gone through key by key in Python, twice:
    about a twentieth of a dossier's rendering): the first render in the process takes them as
    one plain dict, and each render's context starts from it, as Jinja's `new_context` would."""

    __slots__ = ("template", "pid", "flat")

    def __init__(self, template: jinja2.Template):
        self.template = template
        self.pid: int | None = None  # the process whose first render checked the files
        self.flat: dict = {}  # the template's globals as that first render found them

    def render(self, **context) -> str:
        template = self.template
        env = template.environment
        if self.pid != os.getpid() or not env.auto_reload or env.is_async:
            html = template.render(**context)
            self.flat = dict(template.globals)
            self.pid = os.getpid()
            return html
        env.auto_reload = False
        try:
            flat = self.flat
            # jinja2.runtime.new_context(env, name, blocks, context, globals=flat), with the globals a dict
            ctx = env.context_class(env, {**flat, **context}, template.name, template.blocks, globals=flat)
            try:
                return env.concat(template.root_render_func(ctx))
            except Exception:
                env.handle_exception()
                raise  # not reached: handle_exception raises the template's error
        finally:
            env.auto_reload = True


def environment(extra_dirs: list[Path] | tuple = ()) -> jinja2.Environment:
    dirs = [str(Path(d)) for d in extra_dirs if Path(d).is_dir()] + [str(PACKAGE_TEMPLATES)]
    env = _Environment(
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
        "batch": batch,
    })
    env.globals["print_css"] = Rendered(env, "private/print.css")  # the printed pages' stylesheet
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
