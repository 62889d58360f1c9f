"""Small helpers shared by the page modules: the docs tree, public text, titles, paging.

Every string that comes from a workbook and goes onto a public page passes
through `public_text` (control and bidi characters dropped). Text that mkdocs
itself puts into navigation and <title> (page titles, nav labels) is not
escaped by the theme, so it goes through `title_text`, which replaces the five
markup characters with their full-width forms; the page body is escaped by the
templates (autoescape and `md_cell`) and shows the exact text.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F}
_TITLE = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇"})
_SPACES = re.compile(r"\s+")

ROWS_PER_PAGE = 300  # a long disclosure list continues on further pages


def public_text(value) -> str:
    """Text from a workbook, safe to store in a page: no control, bidi or unpaired surrogate
    characters (they would break the file or reorder what a reader sees)."""
    if value is None:
        return ""
    text = str(value)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ord(ch) in _BIDI or cat in ("Cs", "Co", "Cn"):
            continue
        if cat == "Cc":
            out.append(" " if ch in "\t\n\r" else "")
            continue
        out.append(ch)
    return "".join(out)


def title_text(value) -> str:
    """A page title or nav label: one line, no markup characters (full-width lookalikes)."""
    text = _SPACES.sub(" ", public_text(value)).strip()
    return text.translate(_TITLE)


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar with every non-ASCII character escaped (\\uXXXX or
    \\UXXXXXXXX: JSON's surrogate pairs are not YAML), so no data is ever read as YAML syntax."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def front_matter(title: str, *, search: bool = True, boost: float | None = None,
                 hide: tuple[str, ...] = (), extra: dict | None = None) -> str:
    """YAML front matter; the title (the only value from data) as a fully escaped string.
    `boost` ranks a page higher (> 1) or lower (< 1) in the site search."""
    lines = ["---", "title: " + yaml_string(title_text(title))]
    if not search:
        lines.append("search:\n  exclude: true")
    elif boost is not None:
        lines.append(f"search:\n  boost: {boost}")
    if hide:
        lines.append("hide: " + json.dumps(list(hide)))
    for key, value in (extra or {}).items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def pages_of(rows: list, size: int = ROWS_PER_PAGE) -> list[list]:
    """Split a long list into pages; an empty list is one empty page."""
    if not rows:
        return [[]]
    return [rows[i:i + size] for i in range(0, len(rows), size)]


@dataclass
class Docs:
    """The generated docs folder, held in memory until it is written: relative path -> content."""
    files: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)  # kind -> number of pages, for the summary
    keys: dict = field(default_factory=dict)  # path -> what to hash instead of the bytes
    folded: set = field(default_factory=set)  # paths case-folded: one file on Windows and macOS

    def add(self, path: str, content, kind: str = "", key: str | None = None) -> None:
        """`key`: for files whose bytes vary between identical builds (a zip's timestamps),
        the text to hash instead."""
        path = str(PurePosixPath(path))
        if path in self.files or path.casefold() in self.folded:
            raise ValueError(f"two pages for {path}")  # a bug in slug handling
        self.folded.add(path.casefold())
        if ".." in PurePosixPath(path).parts or path.startswith("/"):
            raise ValueError(f"unsafe docs path {path!r}")
        self.files[path] = content
        if key is not None:
            self.keys[path] = key
        if kind:
            self.counts[kind] = self.counts.get(kind, 0) + 1

    def digest(self) -> str:
        h = hashlib.sha256()
        for path in sorted(self.files):
            data = self.keys.get(path, self.files[path])
            data = data.encode("utf-8") if isinstance(data, str) else data
            h.update(path.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big") + data)
        return h.hexdigest()

    @property
    def page_count(self) -> int:
        return sum(1 for p in self.files if p.endswith(".md"))

    def write(self, folder: Path) -> None:
        folder = Path(folder)
        for path, data in self.files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                target.write_text(data, encoding="utf-8", newline="\n")
            else:
                target.write_bytes(data)
