"""Pages converted once per `bangfu serve` session: Markdown to HTML, and HTML to search entries.

A save under `bangfu serve` usually changes one thing every page shares (the station's
name is in every page's header, today's date in every footer) while the Markdown of most
pages stays as it was. Then `site_carry.PageCarry` cannot carry a page (its theme output
changed), but converting its Markdown to HTML, and that HTML to search-index entries, would
give exactly what the last build gave. `PageMemo`, an mkdocs plugin that serve's builds get
(`keep_pages(True)`), remembers both, in memory, for the pages of the last build:

- the HTML, table of contents, title and anchors `Page.render` made, by a digest of the
  page's Markdown, its place (source, URL, output file), every file of the site with its
  URL (relative links are rewritten by them) and the Markdown configuration (the program
  and its packages cannot change within one process); a page whose conversion logged a
  warning is never remembered (its warning must be shown again);
- the search plugin's entries of a page, by a digest of the converted HTML, its table of
  contents, URL, title and front matter, the search configuration and the search
  dictionary's content (the Chinese segmentation depends on it).

Everything else (the theme, the navigation, the search index file, the sitemap) is built as
usual, so the site equals what a fresh `bangfu build` writes byte for byte
(tests/test_serve_memo.py).

`bangfu build` (one process per build) keeps the same memo on disk between builds
(`stored`): a pickle in the work folder, keyed by the program, mkdocs.yml, the templates
and the versions of mkdocs and its kin and of Python (`store_key`, from the caller); it is
written only after a build whose site passed the leak scan, and read only under the very
same key. A payout amount edited at 20,000 workers changes 9 of 86 pages' Markdown: the
other 77 are not converted again.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
import re
from contextlib import contextmanager
from pathlib import Path

from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from .. import keptfile

# Han runs segmented for the search index (mkdocs_run._search_mode_segmenter), by the user
# dictionary's content; kept with the pages between builds (`stored`)
SEGMENTED: dict = {"dictionary": None, "runs": {}}

_STATE: dict = {"on": False, "serve": False, "pages": {}, "entries": {}, "sections": {}, "reused": (0, 0)}


def keep_pages(on: bool) -> None:
    """Remember converted pages between the builds of this process (`bangfu serve`)."""
    _STATE["on"] = _STATE["serve"] = bool(on)
    _STATE["pages"], _STATE["entries"], _STATE["sections"], _STATE["reused"] = {}, {}, {}, (0, 0)
    for name in ("themed", "theme_off", "theme_hits", "theme_builds_checked"):
        _STATE.pop(name, None)


def kept() -> bool:
    return _STATE["on"]


def serving() -> bool:
    """Pages are remembered in memory between the builds of this process (`bangfu serve`)."""
    return _STATE["serve"]


def reused() -> tuple[int, int]:
    """(pages not converted again, pages not indexed again) by the last build."""
    return _STATE["reused"]


def named_sections() -> int:
    """Pages the last build indexed from their sections kept under NAME_SLOT (not parsed)."""
    return _STATE.get("named_sections", 0)


STORE_VERSION = "2"


class Store:
    """The memo of one `bangfu build` on disk (see `stored`)."""

    def __init__(self, path: Path, key: str):
        self.path, self.key = Path(path), key
        self.built = False  # the mkdocs run finished (on_post_build): its conversions are in _STATE
        self.wanted = False

    def keep(self) -> None:
        """The site passed its checks: keep this build's conversions for the next build."""
        self.wanted = True

    def _save(self, pages: dict, entries: dict) -> None:
        """Written whole or not at all (keptfile.save); a folder that cannot be written, or a
        conversion that cannot be stored, just means converting again next time: the site
        itself already passed."""
        try:
            keptfile.save(self.path, {"version": STORE_VERSION, "key": self.key, "pages": pages,
                                      "entries": entries,
                                      "segmented": (SEGMENTED["dictionary"], SEGMENTED["runs"])})
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            self.path.with_suffix(".tmp").unlink(missing_ok=True)


@contextmanager
def stored(path: Path, key: str):
    """The memo for one `bangfu build`: the mkdocs run in the block reuses the conversions kept
    at `path` under `key` (unless this process remembers some already, as `bangfu serve`
    does); when the block called `keep()` on the yielded Store after a finished run, that
    run's conversions replace the kept ones (not under serve: there they stay in memory, and
    a save costs the clerk's wait)."""
    serving = _STATE["on"]
    if not serving or (not _STATE["pages"] and not _STATE["entries"]):
        found = _load(path, key)
        _STATE["pages"], _STATE["entries"] = found[:2] if found is not None else ({}, {})
        if found is not None and found[2] is not None and not SEGMENTED["runs"]:
            SEGMENTED["dictionary"], SEGMENTED["runs"] = found[2]
    _STATE["on"] = True
    store = Store(path, key)
    _STATE["store"] = store
    try:
        yield store
        if store.built and store.wanted and not serving:  # serve keeps them in memory
            store._save(_STATE["pages"], _STATE["entries"])
    finally:
        _STATE["on"] = serving
        _STATE.pop("store", None)
        if not serving:  # a one-off build: nothing stays in memory
            _STATE["pages"], _STATE["entries"] = {}, {}


def _load(path: Path, key: str):
    try:
        kept = pickle.loads(Path(path).read_bytes())
    except Exception:  # noqa: BLE001 - missing or unreadable: convert every page
        return None
    if not isinstance(kept, dict) or kept.get("version") != STORE_VERSION or kept.get("key") != key \
            or not isinstance(kept.get("pages"), dict) or not isinstance(kept.get("entries"), dict):
        return None
    segmented = kept.get("segmented")
    if not (isinstance(segmented, tuple) and len(segmented) == 2 and isinstance(segmented[0], bytes)
            and isinstance(segmented[1], dict)):
        segmented = None
    return kept["pages"], kept["entries"], segmented


def _stable(value) -> str:
    """repr without memory addresses (the toc's slugify is a functools.partial of a function),
    the same in every process."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


_SEARCH_ATTRS = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")  # what the search plugin strips after indexing


class PageMemo(BasePlugin):
    """The mkdocs plugin. `search`: the search plugin of this build (or None); `dictionary`:
    the bytes of its jieba user dictionary; `warnings`: the list mkdocs' warnings are
    collected in (a page whose conversion added one is not remembered)."""

    def __init__(self, search, dictionary: bytes, warnings: list):
        super().__init__()
        self.search, self.warnings = search, warnings
        self.pages: dict = {}  # this build's conversions: what the next build may reuse
        self.entries: dict = {}
        self.hits = 0  # pages whose Markdown was not converted again
        self.entry_hits = 0
        self._files_key: str = ""
        self._files_id: int | None = None
        # the dictionary by its content, not its place (a station folder moved keeps its memo)
        options = sorted((k, v) for k, v in search.config.items() if k != "jieba_dict_user") if search else "-"
        self._search_key = _digest(dictionary, _stable(options))
        self._pending: dict = {}  # src_uri -> (entries key, number of entries before the search plugin)
        self.sections: dict = {}  # this build's pages parsed for search under NAME_SLOT (serve only)
        self.section_hits = 0  # pages indexed from their sections kept under NAME_SLOT

    def _files(self, files, config) -> str:
        if self._files_id != id(files):
            listing = sorted((f.src_uri, f.dest_uri, f.url) for f in files)
            self._files_key = _digest(repr(listing), repr(config["markdown_extensions"]),
                                      _stable(config["mdx_configs"]), config["use_directory_urls"],
                                      repr(config["validation"]))
            self._files_id = id(files)
        return self._files_key

    @event_priority(-100)  # after every other plugin changed the Markdown
    def on_page_markdown(self, markdown, *, page, config, files):
        f = page.file
        place = (self._files(files, config), f.src_uri, f.dest_uri, f.url)
        key = _digest(*place, markdown)
        name = _plain_name((config["extra"].get("bangfu") or {}).get("station"), markdown)
        # the same page under any station name: the Markdown with the name as a placeholder
        named = _digest(*place, "named", markdown.replace(name, NAME_SLOT)) if name else None
        for k, rename in ((key, None), (named, name)):
            found = _STATE["pages"].get(k) if k else None
            if found is None:
                continue
            ok, links = _links_back(found[4], files)
            if ok:
                # an instance attribute: this page only
                page.render = _replay(page, found, links, self, rename)
                self.pages[k] = found
                return markdown
        real = page.render

        def render(config, files):
            before = len(self.warnings)
            real(config, files)
            if len(self.warnings) == before:
                kept = (page.content, copy.deepcopy(page.toc), page._title_from_render,
                        set(page.present_anchor_ids or ()), _links_out(page.links_to_anchors))
                self.pages[key] = kept
                if named and _name_in_text_only(kept, markdown, name):
                    self.pages[named] = (kept[0].replace(name, NAME_SLOT), *kept[1:])

        page.render = render
        return markdown

    @event_priority(50)  # before the search plugin indexes the page
    def _before_search(self, context, *, page, config, nav):
        meta = page.meta or {}
        if self.search is None or not self.search.config.enabled or (meta.get("search") or {}).get("exclude"):
            return context
        key = _digest(self._search_key, page.url, str(page.title), repr(sorted(meta.items(), key=repr)),
                      repr(_toc(page.toc)), page.content or "")
        found = _STATE["entries"].get(key)
        name = _plain_name((config["extra"].get("bangfu") or {}).get("station"), page.content or "") \
            if found is None and _STATE["serve"] else None
        if found is not None or name:  # the search plugin leaves it to us (_after_search)
            page.meta = {**meta, "search": {**(meta.get("search") or {}), "exclude": True}}
            self._pending[page.file.src_uri] = (key, None, meta) if found is not None else \
                (key, (name, page.content), meta)
        else:
            self._pending[page.file.src_uri] = (key, len(self.search.search_index.entries), meta)
        return context

    @event_priority(-50)  # after the search plugin, before site_carry puts carried entries back
    def _after_search(self, context, *, page, config, nav):
        pending = self._pending.pop(page.file.src_uri, None)
        if pending is None:
            return context
        key, before, meta = pending
        entries = self.search.search_index.entries
        if isinstance(before, tuple):  # the station's name in it: indexed here (_index_named)
            page.meta = meta
            start = len(entries)
            self._index_named(page, *before)
            self.entries[key] = copy.deepcopy(entries[start:])
            page.content = _SEARCH_ATTRS.sub("", page.content)
        elif before is None:  # remembered: put the entries in, as the search plugin would have
            page.meta = meta
            entries.extend(copy.deepcopy(_STATE["entries"][key]))
            page.content = _SEARCH_ATTRS.sub("", page.content)
            self.entries[key] = _STATE["entries"][key]
            self.entry_hits += 1
        else:
            self.entries[key] = copy.deepcopy(entries[before:])
        return context

    on_page_context = CombinedEvent(_before_search, _after_search)

    def _index_named(self, page, name: str, content: str) -> None:
        """Index a page showing the station's name as the search plugin does (its Parser, then
        create_entry_for_section for each section not excluded), from the sections its HTML
        parsed into with the name as NAME_SLOT when those are kept: a save of the name parses
        no page again (the entries are made anew: their segmentation depends on the name). The
        sections under NAME_SLOT are kept only when, the name put back, they are exactly the
        sections of the HTML itself (the name then stands in text alone, never in markup)."""
        from material.plugins.search.plugin import Parser, Section

        index = self.search.search_index
        key = _digest(self._search_key, "named", page.url, str(page.title),
                      repr(sorted((page.meta or {}).items(), key=repr)), repr(_toc(page.toc)),
                      content.replace(name, NAME_SLOT))
        kept = _STATE["sections"].get(key)
        if kept is None:
            parsed = _parse(Parser, content)
            slotted = _parse(Parser, content.replace(name, NAME_SLOT))
            if [_section_view(s, name) for s in parsed] == [_section_view(s) for s in slotted]:
                self.sections[key] = [(s.el, s.depth, s.id, list(s.title), list(s.text)) for s in slotted]
        else:
            self.sections[key] = kept
            self.section_hits += 1
            parsed = []
            for el, depth, id_, title, text in kept:
                section = Section(el, depth)
                section.id = id_
                section.title = [t.replace(NAME_SLOT, name) for t in title]
                section.text = [t.replace(NAME_SLOT, name) for t in text]
                parsed.append(section)
        for section in parsed:  # as SearchIndex.add_entry_from_context
            if not section.is_excluded():
                index.create_entry_for_section(section, page.toc, page.url, page)

    def on_post_build(self, *, config):
        """Keep this build's conversions only (the pages of the site as it now is)."""
        _STATE["pages"], _STATE["entries"] = self.pages, self.entries
        if _STATE["serve"]:
            _STATE["sections"] = self.sections
        _STATE["reused"] = (self.hits, self.entry_hits)
        _STATE["named_sections"] = self.section_hits
        if _STATE.get("store") is not None:
            _STATE["store"].built = True


def _replay(page, found, links, memo, name: str | None = None):
    content, toc, title, anchors, _ = found

    def render(config, files):
        page.content = content.replace(NAME_SLOT, name) if name else content
        page.toc = copy.deepcopy(toc)
        page._title_from_render = title
        page.present_anchor_ids = set(anchors)
        page.links_to_anchors = links
        memo.hits += 1

    return render


# The station's name stands in the Markdown of most pages (the contact line, the publisher);
# a save that changes only the name would convert all of them again. A page is also kept
# with the name replaced by NAME_SLOT, and replayed with the new name put back, when
# converting its Markdown is plainly the same for any name: the name is only Han characters,
# digits and ASCII letters and starts with a Han character (no Markdown or HTML syntax can
# start, end or hide in it), and every place of it in the Markdown, and no other, is a
# place of it in the converted HTML and none is in the title, the table of contents, the
# anchors or the links (slugs are made from headings). Otherwise the page is converted again.
NAME_SLOT = "bfstationnameslotq"
_PLAIN_NAME = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff0-9A-Za-z]*")


def _plain_name(name, markdown: str) -> str | None:
    """The station's name when pages with it may be kept under NAME_SLOT (see there)."""
    if not isinstance(name, str) or not _PLAIN_NAME.fullmatch(name) or NAME_SLOT in markdown \
            or name not in markdown:
        return None
    return name


def _name_in_text_only(kept, markdown: str, name: str) -> bool:
    content, toc, title, anchors, links = kept
    return (content.count(name) == markdown.count(name) and NAME_SLOT not in content
            and name not in repr((_toc(toc), title, sorted(anchors), links)))


def _links_out(links) -> dict | None:
    """links_to_anchors by source path (the File objects are this build's)."""
    if links is None:
        return None
    return {f.src_uri: dict(v) for f, v in links.items()}


def _links_back(links, files) -> tuple[bool, dict | None]:
    """(True, links_to_anchors with this build's File objects), or (False, None) when a
    linked file is gone (then the page is converted again)."""
    if links is None:
        return True, None
    out = {}
    for src, v in links.items():
        f = files.get_file_from_path(src)
        if f is None:
            return False, None
        out[f] = dict(v)
    return True, out


def _parse(parser_class, html: str) -> list:
    parser = parser_class()
    parser.feed(html)
    parser.close()
    return parser.data


def _section_view(section, name: str | None = None) -> tuple:
    """What indexing reads of a parsed section (with `name`, its text as under NAME_SLOT)."""
    def text(parts):
        return tuple(p.replace(name, NAME_SLOT) for p in parts) if name else tuple(parts)

    return (section.el.tag, repr(sorted(section.el.attrs.items())), section.depth, section.id,
            text(section.title), text(section.text))


def _toc(toc) -> list:
    out = []
    for item in toc or ():
        out.append((item.title, item.id, item.level, _toc(item.children)))
    return out


# Under `bangfu serve`, pages put into the theme once per station name: a saved station name
# is in every page's header, title and print header, so no page can be carried
# (site_carry.PageCarry) and each would go through the theme again (Material's navigation,
# about a quarter of a demo save's CPU). `ThemeMemo` puts each page into the theme with
# NAME_SLOT in place of the (plain: _PLAIN_NAME) name, in the configuration and in the
# page's HTML, keeps that output by everything else the page is made from, and writes it
# with the name put back; the next build with only the name changed takes it from memory.
# The theme prints the name as it is (the templates are part of the program: Material's and
# site_templates/overrides); that putting the name back gives exactly what the theme makes
# with the name is checked page by page by the first builds of a process that put pages
# into the theme (both outputs are made and compared), and a difference turns the memo off
# for the process (tests/test_serve_memo.py compares serve's rebuilds with fresh builds).
CARRIED_TEMPLATE = "bangfu-carried.html"  # site_carry's stand-in for a page carried over


class ThemeMemo(BasePlugin):
    """The mkdocs plugin (serve only). `name`: the station's name (the site's name and the
    print header's); `shared`: a digest of this build's other options every page shows (the
    navigation, the site address, the date)."""

    def __init__(self, name: str, shared: str):
        super().__init__()
        self.name = name if isinstance(name, str) and _PLAIN_NAME.fullmatch(name) else None
        self.shared = shared
        self.outputs: dict = {}  # this build's pages in the theme, under NAME_SLOT
        self.hits = 0  # pages not put into the theme again
        self.checked = 0  # pages whose output was checked against the theme's with the name
        self._nav = None

    def on_nav(self, nav, *, config, files):
        self._nav = nav
        return nav

    def on_env(self, env, *, config, files):
        """Every page has been converted (a page's title in the navigation may come from its
        heading): the shared part of the key, and the page templates wrapped (_Themed)."""
        titles = _stable(_nav_titles(self._nav.items if self._nav is not None else []))
        if self.name is None or _STATE.get("theme_off") or self.name in titles:
            return env
        theme = _theme_key(config)
        self.shared = _digest(self.shared, theme, titles, repr(sorted((f.src_uri, f.url) for f in files)))
        get = env.get_template
        memo = self

        def get_template(name, parent=None, globals=None):  # noqa: A002 - Jinja's name
            template = get(name, parent, globals)
            page = getattr(config, "_current_page", None)
            if page is None or name == CARRIED_TEMPLATE or name != (page.meta or {}).get("template", "main.html"):
                return template
            return _Themed(memo, template, page)

        env.get_template = get_template
        return env

    def on_post_build(self, *, config):
        _STATE["themed"] = self.outputs
        _STATE["theme_hits"] = self.hits
        if self.checked:
            _STATE["theme_builds_checked"] = _STATE.get("theme_builds_checked", 0) + 1


THEME_CHECKS = 1  # builds of a process whose pages' outputs are checked (see above)


class _Themed:
    """A page's template as ThemeMemo hands it to mkdocs (which only calls `render`)."""

    def __init__(self, memo: ThemeMemo, template, page):
        self.memo, self.template, self.page = memo, template, page

    def render(self, context) -> str:
        memo, page, name = self.memo, self.page, self.memo.name
        content = page.content or ""
        meta = repr(sorted((page.meta or {}).items(), key=repr))
        toc = repr(_toc(page.toc))
        if _STATE.get("theme_off") or NAME_SLOT in content or name in f"{page.title}{meta}{toc}":
            return self.template.render(context)
        key = _digest(memo.shared, page.file.src_uri, page.file.dest_uri, page.url, str(page.title), meta, toc,
                      content.replace(name, NAME_SLOT))
        found = _STATE["themed"].get(key) if "themed" in _STATE else None
        if found is not None:
            memo.outputs[key] = found
            memo.hits += 1
            return found.replace(NAME_SLOT, name)
        config = context["config"]
        site_name, extra = config["site_name"], config["extra"].get("bangfu")
        try:
            from markupsafe import Markup

            config["site_name"] = Markup(NAME_SLOT)
            if isinstance(extra, dict):
                config["extra"]["bangfu"] = {**extra, "station": NAME_SLOT}
            page.content = content.replace(name, NAME_SLOT)
            slotted = self.template.render(context)
        finally:
            config["site_name"], page.content = site_name, content
            if isinstance(extra, dict):
                config["extra"]["bangfu"] = extra
        out = slotted.replace(NAME_SLOT, name)
        if _STATE.get("theme_builds_checked", 0) < THEME_CHECKS:
            real = self.template.render(context)
            memo.checked += 1
            if real != out:  # the theme does more with the name than print it: no memo here
                _STATE["theme_off"] = True
                return real
        memo.outputs[key] = slotted
        return out


def _nav_titles(items) -> list:
    out: list = []
    for item in items:
        out.append((str(item.title), getattr(item, "url", None)))
        children = getattr(item, "children", None)
        if children:
            out.append(_nav_titles(children))
    return out


def _theme_key(config) -> str:
    """The theme's own files (site_templates/overrides) and mkdocs.yml's theme settings: the
    Material templates are those of its version (the program cannot change within a process)."""
    from importlib import metadata

    h = hashlib.sha256()
    custom = Path(config["theme"].custom_dir) if config["theme"].custom_dir else None
    if custom is not None and custom.is_dir():
        for path in sorted(p for p in custom.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(custom)).encode() + b"\0" + path.read_bytes())
    if "material_version" not in _STATE:
        _STATE["material_version"] = metadata.version("mkdocs-material")
    h.update(_STATE["material_version"].encode())
    h.update(_stable(sorted((k, v) for k, v in config["theme"].items())).encode())
    return h.hexdigest()
