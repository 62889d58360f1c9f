"""Carry unchanged pages of the public site over from the last good build.

mkdocs renders every page into the theme on every build; at 20,000 workers that is
most of a rebuild after one payout amount. The pages of the site depend on their own
Markdown and on things every page shares (the navigation with its titles, the list of
files, the configuration, the theme, the date in the footer, the search dictionary).
`PageCarry` is an mkdocs plugin that, after mkdocs has read every page, fingerprints
the shared part once and each page on top of it:

- a page whose fingerprint is the one the last good build recorded for it is not
  rendered into the theme again: its HTML file is hard-linked (copied where links are
  impossible) from the site that is online, and its search-index entries are taken
  from that site's search index, in the same place of the index;
- every other page is built as usual, and so are the search index, the sitemap, the
  404 page and the theme's files.

So the new site is byte for byte what a fresh build writes (tests/test_site_incremental.py
proves it). The old site is used only when the state of the last good build says it
is exactly the site that build wrote (state.manifest, checked by the caller). A
carried file is a link to a file of the online site: nothing ever writes through it
(mkdocs writes each page once, into a staging folder it emptied first, and the carried
pages are exactly the ones it does not write).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path

import jinja2
from mkdocs.plugins import BasePlugin, event_priority

from ..private.carry import link_or_copy
from ..site.mkdocs_memo import CARRIED_TEMPLATE

TEMPLATE = CARRIED_TEMPLATE  # a page carried over renders this instead of the theme
VERSION = "1"


@cache
def versions() -> str:
    """The versions of the packages the site is made with, looked up once per process (the code
    running cannot change within it; `bangfu serve` asked about 36 times per save)."""
    out = []
    for name in ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jieba", "jinja2"):
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=-")
    return ",".join(out)


def _nav_items(items, out: list) -> None:
    for item in items:
        out.append((type(item).__name__, str(item.title), getattr(item, "url", None)))
        children = getattr(item, "children", None)
        if children:
            out.append("[")
            _nav_items(children, out)
            out.append("]")


class PageCarry(BasePlugin):
    """The mkdocs plugin. `shared`: the build's own inputs every page depends on (the options
    handed to mkdocs, the theme fingerprint, the search dictionary); `previous`: page
    fingerprints recorded by the last good build, or {}; `old_site`: that build's site,
    or None (then every page is built)."""

    def __init__(self, shared: str, previous: dict, old_site: Path | None, compiled: Path | None = None):
        super().__init__()
        self.compiled = compiled  # where the theme's compiled templates are kept between builds
        self.shared = shared
        self.previous = previous if old_site is not None else {}
        self.old_site = old_site
        self.fingerprints: dict[str, str] = {}  # src_uri -> fingerprint, of this build
        self.carried: set[str] = set()  # src_uris carried over
        self._nav = None
        self._old_entries: dict[str, list] | None = None
        self._meta: dict[str, dict] = {}
        self._search = None
        self._old_ok = True

    @event_priority(100)  # before the search plugin's on_config loads the theme's language templates
    def on_config(self, config):
        self._search = config["plugins"].get("material/search") or config["plugins"].get("search")
        bytecode = _bytecode_cache(self.compiled) if self.compiled is not None else None
        _keep_theme_listing(config.theme, bytecode)
        return config

    def on_nav(self, nav, *, config, files):
        self._nav = nav
        return nav

    def on_env(self, env, *, config, files):
        """All pages have been read: fingerprint them, and mark the ones to carry."""
        if self.compiled is not None and env.bytecode_cache is None:
            env.bytecode_cache = _bytecode_cache(self.compiled)
        h = hashlib.sha256(f"{VERSION}|{versions()}|{self.shared}".encode())
        h.update(_code_digest().encode())
        nav: list = []
        _nav_items(self._nav.items if self._nav is not None else [], nav)
        h.update(repr(nav).encode("utf-8"))
        h.update(repr(sorted(f.src_uri for f in files)).encode("utf-8"))
        shared = h.hexdigest()
        for page_file in files.documentation_pages():
            page = page_file.page
            if page is None:
                continue
            p = hashlib.sha256(shared.encode())
            p.update(repr((page_file.src_uri, page.url, str(page.title), page_file.dest_uri)).encode("utf-8"))
            p.update((page.markdown or "").encode("utf-8"))
            key = p.hexdigest()
            self.fingerprints[page_file.src_uri] = key
            if self.previous.get(page_file.src_uri) != key:
                continue
            old = self.old_site / page_file.dest_uri
            entries = self._entries_for(page.url)
            if not old.is_file() or entries is None:
                continue
            self.carried.add(page_file.src_uri)
            self._meta[page_file.src_uri] = page.meta
            # the theme is not rendered for this page, and the search plugin leaves it out:
            # its entries are put back from the old index, in the same place (on_page_context)
            page.meta = {**page.meta, "template": TEMPLATE, "search": {"exclude": True}}
        if self.carried:
            env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({TEMPLATE: "carried"}), env.loader])
        return env

    def _entries_for(self, url: str) -> list | None:
        """The old search index's entries of one page; None when the old index is unusable
        (then the page is built)."""
        if self._search is None:
            return []
        if self._old_entries is None:
            self._old_entries = {}
            try:
                index = json.loads((self.old_site / "search" / "search_index.json").read_text(encoding="utf-8"))
                for entry in index["docs"]:
                    self._old_entries.setdefault(str(entry["location"]).split("#", 1)[0], []).append(entry)
            except (OSError, ValueError, KeyError, TypeError):
                self._old_ok = False
        return self._old_entries.get(url, []) if self._old_ok else None

    @event_priority(-100)  # after the search plugin (which skipped this page)
    def on_page_context(self, context, *, page, config, nav):
        if page.file.src_uri in self.carried and self._search is not None:
            self._search.search_index.entries.extend(self._entries_for(page.url) or [])
        return context

    @event_priority(100)  # before any other plugin looks at the output
    def on_post_page(self, output, *, page, config):
        src = page.file.src_uri
        if src not in self.carried:
            return output
        page.meta = self._meta.pop(src)
        target = Path(page.file.abs_dest_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(self.old_site / page.file.dest_uri, target)
        return ""  # mkdocs writes nothing for an empty page: the carried file stays


# The theme's static files as mkdocs lists them (walking Material's ~14,000 files and matching
# each against its patterns, about 0.3 s), by theme: the same in every build of one process
# (`bangfu serve` builds again and again), unless the theme's folders, its overrides or the
# installed versions change.
_LISTINGS: dict[tuple, list] = {}


def _keep_theme_listing(theme, bytecode=None) -> None:
    """Let the theme's environments answer mkdocs' listing of static theme files (Files.
    add_files_from_theme, the only caller passing that filter) from _LISTINGS, and load their
    templates compiled from `bytecode` (a Jinja bytecode cache, or None): not only the
    environment mkdocs renders the pages with, but also the ones the search plugin makes to
    read the theme's language templates (three per build, each compiling them anew)."""
    from mkdocs import utils

    from .state import theme_fingerprint

    key = (tuple(theme.dirs), tuple(theme.static_templates), tuple(utils.markdown_extensions),
           versions(), theme_fingerprint())
    make_env = theme.get_env

    def get_env():
        env = make_env()
        if bytecode is not None and env.bytecode_cache is None:
            env.bytecode_cache = bytecode
        listing = env.list_templates

        def list_templates(extensions=None, filter_func=None):
            if extensions is not None or filter_func is None or \
                    getattr(filter_func, "__qualname__", "") != "Files.add_files_from_theme.<locals>.filter":
                return listing(extensions=extensions, filter_func=filter_func)
            if key not in _LISTINGS:
                _LISTINGS.clear()  # one theme at a time
                _LISTINGS[key] = listing(filter_func=filter_func)
            return list(_LISTINGS[key])

        env.list_templates = list_templates
        return env

    theme.get_env = get_env


def _bytecode_cache(folder: Path):
    """The theme's templates compiled once, kept in the work folder (keyed by their source, so
    a changed template is compiled again) and in this process (_COMPILED: `bangfu serve`'s
    builds make new environments each time, which would read every template's code from the
    folder again); a folder that cannot be used just means compiling."""
    from ..render import QuietBytecodeCache

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None

    class Kept(QuietBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            got = _COMPILED.get((str(folder), bucket.key))
            if got is not None and got[0] == bucket.checksum:
                bucket.code = got[1]
                return
            super().load_bytecode(bucket)
            if bucket.code is not None:
                _COMPILED[(str(folder), bucket.key)] = (bucket.checksum, bucket.code)

        def dump_bytecode(self, bucket) -> None:
            super().dump_bytecode(bucket)
            _COMPILED[(str(folder), bucket.key)] = (bucket.checksum, bucket.code)

    return Kept(str(folder))


# (work folder, template's cache key) -> (its source's checksum, its compiled code), for the
# builds of this process: code objects are never changed, a changed source has another checksum
_COMPILED: dict[tuple[str, str], tuple[str, object]] = {}


_CODE: list[str] = []


def _code_digest() -> str:
    """The code that turns Markdown into the site's pages (this module and mkdocs_run)."""
    if not _CODE:
        from ..site import mkdocs_run

        h = hashlib.sha256()
        for path in (Path(__file__), Path(mkdocs_run.__file__)):
            h.update(path.read_bytes())
        _CODE.append(h.hexdigest())
    return _CODE[0]


def shared_key(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()
