"""The PDF cache: the digests of the documents behind each PDF of an output folder
(`.pdf-cache.json`), so that an unchanged PDF is not printed again, and of a combined PDF (a
volume) its documents' page counts and the engine that made it, so that a volume in which a few
documents changed is patched (pdf.patch_combined) rather than printed whole."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .browser_share import find_browser

# The producer a Chromium-family browser writes in the info dictionary at the head of its PDFs
# (Skia, Chrome's and Edge's PDF library), and how much of a file's head is read for it.
BROWSER_PRODUCER = b"/Producer (Skia/PDF"
SNIFF_BYTES = 2048


class Cache:
    """Digests of the documents behind each PDF, so an unchanged PDF is not rendered again.

    Kept as `.pdf-cache.json` in the output folder; a missing or unreadable file
    only means everything is rendered again.
    """

    NAME = ".pdf-cache.json"

    def __init__(self, root: Path, key: str | None = None):
        """`key`: what the PDFs made now depend on besides their documents (engine_fingerprint());
        a PDF kept under another one is not fresh, nor patched. None: not looked at."""
        self.root = Path(root)
        self.key = key
        self.file = self.root / self.NAME
        try:
            self.data = json.loads(self.file.read_text(encoding="utf-8"))
            if not isinstance(self.data, dict):
                self.data = {}
        except (OSError, ValueError):
            self.data = {}

    def _key(self, pdf_path: Path) -> str:
        return Path(pdf_path).resolve().relative_to(self.root.resolve()).as_posix()

    def _entry(self, pdf_path: Path) -> dict:
        entry = self.data.get(self._key(pdf_path))
        return entry if isinstance(entry, dict) else {"digest": entry}

    # A single document's PDF written with its links relative (relative_links) says so: one
    # written before (its links into the staging folder, dead) is printed again once.
    LINKS = "relative"

    def _same_key(self, entry: dict) -> bool:
        """Whether the entry's PDF was made with this cache's key. An entry that names none (a
        version that did not record it) is taken as made with it, and is marked so: not every
        PDF printed again after an update, but each one again after a change of engine."""
        if self.key is None:
            return True
        if "key" not in entry:
            entry["key"] = self.key
        return entry["key"] == self.key

    def fresh(self, pdf_path: Path, digest: str) -> bool:
        entry = self._entry(pdf_path)
        ok = (Path(pdf_path).exists() and entry.get("digest") == digest
              and ("parts" in entry or entry.get("links") == self.LINKS))
        if ok and self._same_key(entry):
            self.data[self._key(pdf_path)] = entry  # (marked with the key)
            return True
        return False

    def parts(self, pdf_path: Path) -> tuple[list[tuple[str, int]], int] | None:
        """A combined PDF's documents as (digest, pages) in order, and how many renderings its
        pages come from; None when unknown (or the file is gone)."""
        entry = self._entry(pdf_path)
        parts = entry.get("parts")
        if not Path(pdf_path).exists() or not isinstance(parts, list) or not self._same_key(dict(entry)):
            return None  # (a PDF of another engine, version or font is printed whole)
        try:
            return [(str(d), int(n)) for d, n in parts], int(entry.get("sources", 1))
        except (TypeError, ValueError):
            return None

    def engine(self, pdf_path: Path) -> str | None:
        """The engine that made a combined PDF ("chromium", "weasyprint"); None when not known.
        Where the entry does not say (a version that did not record it), a PDF whose head names
        the browser's PDF library as its producer is the browser's (its volumes and their
        patches keep that head, pdf_volume.py)."""
        engine_ = self._entry(pdf_path).get("engine")
        if isinstance(engine_, str):
            return engine_
        try:
            with open(pdf_path, "rb") as f:
                head = f.read(SNIFF_BYTES)
        except OSError:
            return None
        return "chromium" if BROWSER_PRODUCER in head else None

    def store(self, pdf_path: Path, digest: str, parts=None, sources: int = 1, engine: str | None = None) -> None:
        """The digest of a PDF's documents; for a combined PDF also its parts, (digest, pages)
        of each document in order, how many renderings its pages come from, and the engine
        that made them (a patch by another engine would mix two engines' pages)."""
        if parts is None:
            entry: dict = {"digest": digest, "links": self.LINKS}
        else:
            entry = {"digest": digest, "parts": [list(p) for p in parts], "sources": sources, "engine": engine}
        if self.key is not None:
            entry["key"] = self.key
        self.data[self._key(pdf_path)] = entry

    def forget_missing(self) -> None:
        self.data = {k: v for k, v in self.data.items() if (self.root / k).exists()}

    def save(self) -> None:
        self.forget_missing()
        from ..outputs import write_text

        write_text(self.file, json.dumps(self.data, ensure_ascii=False, indent=0, sort_keys=True))


def combined_digest(digests) -> str:
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()


def engine_fingerprint() -> str:
    """What a PDF depends on besides its HTML (which holds its stylesheet), for PDFs kept by the
    digest of their page (the wall printouts, site/wall.py): the engine forced, WeasyPrint's
    version, the browser's and the Chinese font's files (path, size, time). Learnt without
    importing WeasyPrint."""
    from importlib import metadata

    parts = [os.environ.get("BANGFU_PDF_ENGINE", "").strip().lower()]
    try:
        parts.append(metadata.version("weasyprint"))
    except metadata.PackageNotFoundError:
        parts.append("")
    from . import pdf

    if "font_file" not in pdf._state:
        pdf._system_has_chinese_font()
    for path in (find_browser(), pdf._state.get("font_file")):
        try:
            st = os.stat(path or "")
            parts.append(f"{path}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(str(path))
    return "|".join(parts)
