"""Run a real `mkdocs build` through MkDocs' Python API with the project's mkdocs.yml.

The configuration is loaded from the top-level mkdocs.yml and adjusted for this
build (docs and site folders, the station's name, the navigation, the search
dictionary). MkDocs' own log goes to a list instead of the terminal; warnings
are returned so that the build can show them, and progress is reported while
pages are written.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from mkdocs.plugins import BasePlugin

from ..resources import JIEBA_WORDS, MKDOCS_YML
from . import jieba_lazy, mkdocs_memo
from .raw_tables import RawTables


class MkdocsFailed(Exception):
    """mkdocs stopped; the message says why in Chinese."""


class _Progress(BasePlugin):
    """Counts written pages and reports the count after each (the caller's progress bar
    decides how often to print)."""

    def __init__(self, total: int, report):
        super().__init__()
        self.total, self.report, self.done = total, report, 0

    def on_post_page(self, output, *, page, config):
        self.done += 1
        if self.report:
            self.report(self.done)
        return output


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class _PartialWords(BasePlugin):
    """Search finds parts of words: the index holds jieba's search-mode segmentation
    (两节送温暖 -> 两节 / 温暖 / 送温暖 / 两节送温暖; 金秋助学 -> 金秋 / 助学 / 金秋助学), not only
    whole dictionary words. Runs after the search plugin's on_config has made its index, and
    swaps that index's segmenter for the search-mode one."""

    def __init__(self, search, dictionary: bytes = b"", path: Path | None = None):
        super().__init__()
        self.search, self.dictionary, self.path = search, dictionary, path

    def on_config(self, config):
        index = getattr(self.search, "search_index", None)
        if index is not None:
            index._segment_chinese = _search_mode_segmenter(index._segment_chinese, self.dictionary, self.path)
        return config


# Han runs as segmented while the user dictionary (by its content) stays the same: the same
# runs (an item's name, 帮扶站, a masked name's surname) recur on every page, in every rebuild
# under `bangfu serve`, and in the next `bangfu build` (mkdocs_memo keeps them with the pages)
_SEGMENTED = mkdocs_memo.SEGMENTED
RUNS_KEPT = 200_000  # runs kept at most


def _search_mode_segmenter(original, dictionary: bytes = b"", path: Path | None = None):
    """jieba's search-mode segmentation of each Han run, taken from the runs segmented before
    with the same dictionary; jieba's dictionaries are loaded (the user dictionary at `path`,
    and jieba's own, filled in lazily for the runs cut: jieba_lazy) only when a run is new:
    after a payout amount, never."""
    import jieba

    han = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
    if _SEGMENTED["dictionary"] != dictionary or len(_SEGMENTED["runs"]) > RUNS_KEPT:
        _SEGMENTED["dictionary"], _SEGMENTED["runs"] = dictionary, {}
    runs = _SEGMENTED["runs"]
    loaded = [path is None]
    made: list = []  # the search index's Tokenizer and its lazily filled table, once a run is new

    def replace(match):
        text = match.group(0)
        out = runs.get(text)
        if out is None:
            if not made:
                made.extend(jieba_lazy.tokenizer(jieba))
            tok, lazy = made
            if not loaded[0]:  # as the search plugin's on_config would have, once per build
                jieba_lazy.load_userdict(jieba, tok, lazy, path)
                loaded[0] = True
            if lazy is not None:
                lazy.fill(tok.FREQ, text)
            out = runs[text] = "\u200b" + "\u200b".join(tok.cut_for_search(text)) + "\u200b"
        return out

    def segment(data: str) -> str:
        return han.sub(replace, data).strip("\u200b")

    return segment if jieba else original


def jieba_module():
    try:
        import jieba
    except ImportError:
        return None
    return jieba


def jieba_dictionary(folder: Path, words: list[str]) -> Path:
    """The project's domain words plus this station's item names, as a jieba user dictionary."""
    path = Path(folder) / "jieba_user.txt"
    lines = JIEBA_WORDS.read_text(encoding="utf-8").splitlines()
    for word in words:
        word = "".join(ch for ch in word if not ch.isspace())
        if 1 < len(word) <= 20:
            lines.append(f"{word} 20 n")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_mkdocs(docs_dir: Path, site_dir: Path, *, site_name: str, nav: list, site_url: str | None,
               station: str, date_text: str, jieba_dict: Path, pages: int,
               progress=None, plugins: dict | None = None) -> list[str]:
    """Build the site from docs_dir into site_dir; returns MkDocs' warnings. `plugins`: more
    mkdocs plugins for this build, by name (the build's page carry-over)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logging.getLogger("jieba").setLevel(logging.WARNING)
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        # jieba's dictionary cache lives in our own work folder: the shared temporary folder
        # may hold a cache owned by another user of the computer (unreadable, not replaceable).
        jieba.dt.tmp_dir = str(Path(jieba_dict).parent)
        jieba.dt.cache_file = "jieba.cache"
    except ImportError:
        pass
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    mk_log = logging.getLogger("mkdocs")
    collect = _Collect()
    saved = (mk_log.level, mk_log.propagate, list(mk_log.handlers))
    mk_log.handlers = [collect]
    mk_log.propagate = False
    mk_log.setLevel(logging.WARNING)
    try:
        from markupsafe import escape

        # The theme prints site_name unescaped in <title> and the header: pass it escaped,
        # as Markup so that the places that do escape it (`| e`) leave it as it is.
        options: dict[str, object] = {"config_file": str(MKDOCS_YML), "docs_dir": str(docs_dir),
                                      "site_dir": str(site_dir), "site_name": escape(site_name), "nav": nav}
        if site_url and site_url.startswith(("http://", "https://")):
            options["site_url"] = site_url
        cfg = load_config(**options)  # type: ignore[arg-type]
        cfg["extra"]["bangfu"] = {"station": station, "date": date_text}
        # the notices' long HTML tables skip Markdown's HTML parsing (raw_tables)
        cfg["markdown_extensions"].append(RawTables())
        search = cfg["plugins"].get("material/search") or cfg["plugins"].get("search")
        dictionary = Path(jieba_dict).read_bytes()
        if search is not None and jieba_module() is not None:
            # the user dictionary is loaded by our segmenter, when a run is new (_PartialWords)
            search.config["jieba_dict_user"] = None
            cfg["plugins"]["bangfu/partial-words"] = _PartialWords(search, dictionary, Path(jieba_dict))
        elif search is not None:
            search.config["jieba_dict_user"] = str(jieba_dict)
        cfg["plugins"]["bangfu/progress"] = _Progress(pages, progress)
        if mkdocs_memo.kept():  # pages converted by the last build are reused (mkdocs_memo)
            cfg["plugins"]["bangfu/memo"] = mkdocs_memo.PageMemo(search, dictionary, collect.messages)
        if mkdocs_memo.serving():  # and put into the theme once per station name
            cfg["plugins"]["bangfu/theme-memo"] = mkdocs_memo.ThemeMemo(
                station, mkdocs_memo._digest(repr(nav), str(cfg["site_url"]), date_text, MKDOCS_YML.read_bytes()))
        for name, plugin in (plugins or {}).items():
            cfg["plugins"][name] = plugin
        build(cfg)
    except MkDocsException as err:
        raise MkdocsFailed(f"MkDocs 生成网站时出错：{err}") from err
    finally:
        mk_log.handlers = saved[2]
        mk_log.setLevel(saved[0])
        mk_log.propagate = saved[1]
    return collect.messages
