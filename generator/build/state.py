"""The state of the last good build: what its output depended on (`input_key`), and
fingerprints of the folders it wrote (`manifest`), so an unchanged build does nothing."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

from ..reading import input_files
from ..render import PACKAGE_TEMPLATES
from ..schema import FUNDS_BOOK
from ..site.mkdocs_run import MKDOCS_YML

CODE_ROOT = Path(__file__).resolve().parent.parent  # the generator package


def _hash_files(h, paths) -> None:
    for path in paths:
        h.update(str(path).encode("utf-8") + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")


def code_key(template_dirs) -> str:
    """The program, its data, mkdocs.yml and every template (the station's and the package's)."""
    h = hashlib.sha256()
    code = sorted(CODE_ROOT.rglob("*.py")) + sorted(CODE_ROOT.rglob("data/*")) + [MKDOCS_YML]
    for folder in [*template_dirs, PACKAGE_TEMPLATES]:
        code += sorted(p for p in Path(folder).rglob("*") if p.is_file())
    _hash_files(h, code)
    return h.hexdigest()


def input_key(records_dir: Path, template_dirs, *, today: date, pdf: bool, private_dir,
              code: str | None = None, books: dict | None = None, pdf_key: str = "") -> str:
    """Everything a build's output depends on: the workbooks, templates, code and options
    (`code`: code_key(template_dirs), when the caller has it already), and with PDFs what else
    they depend on (`pdf_key`: pdf_cache.engine_fingerprint(), the engine, its version and the
    Chinese font: another one prints them again). `books` (a dict) receives the digest of each
    workbook file by its name (which ones changed: pdf_inputs_unchanged)."""
    h = hashlib.sha256(f"{today.isoformat()}|{pdf}|{private_dir}|{pdf_key}".encode())
    for path in input_files(records_dir):  # .xls/.ods copies are read too
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = "<missing>"
        if books is not None:
            books[path.name] = digest
        h.update(f"{path}\0{digest}\0".encode())
    h.update((code or code_key(template_dirs)).encode())
    return h.hexdigest()


def options_key(*, today: date, pdf: bool, private_dir, code: str, pdf_key: str = "") -> str:
    """The build's options, day and program, without its workbooks (pdf_inputs_unchanged);
    `pdf_key` as for input_key."""
    return hashlib.sha256(f"options-1|{today.isoformat()}|{pdf}|{private_dir}|{code}|{pdf_key}".encode()).hexdigest()


# Workbooks whose records feed no PDF of the private folder: the fund accounts (资金账户, 资金收入,
# 其他支出) show only in the quarterly workbooks and on the site.
NO_PDF_BOOKS = (FUNDS_BOOK.filename,)


def pdf_inputs_unchanged(last: dict, books: dict, options: str) -> bool:
    """Whether, as far as the workbook files tell before they are read, the private PDFs are made
    from what the last build (`last`, its state) made them from: the same options, day and
    program (`options`, options_key) and no workbook changed (`books`, from input_key) but those
    feeding no PDF (NO_PDF_BOOKS, in any of their formats). False when unknown."""
    old = last.get("books")
    if last.get("options") != options or not isinstance(old, dict):
        return False
    exempt = {Path(name).stem for name in NO_PDF_BOOKS}
    changed = {name for name in set(old) | set(books) if old.get(name) != books.get(name)}
    return all(Path(name).stem in exempt for name in changed)


def site_input_key(public_fingerprint: str, *, code: str, today: date, pdf_engine: str, versions: str) -> str:
    """Everything the site's pages and wall printouts are rendered from: the public view of the
    records (site/public.py), today's date, program and templates (`code`, with the theme and
    mkdocs.yml), what the wall printouts' PDFs are printed by (`pdf_engine`: the engine's
    fingerprint, pdf_cache.engine_fingerprint(), or "" without PDFs), and the versions of mkdocs
    and its kin."""
    return hashlib.sha256("|".join(("site-input-2", public_fingerprint, code, today.isoformat(),
                                    pdf_engine, versions)).encode()).hexdigest()


def theme_fingerprint() -> str:
    """The parts of the site that are not in the generated docs: theme overrides and mkdocs.yml."""
    h = hashlib.sha256()
    _hash_files(h, [MKDOCS_YML, *sorted(p for p in (PACKAGE_TEMPLATES / "overrides").rglob("*") if p.is_file())])
    return h.hexdigest()


def manifest(folder: Path, known: dict | None = None) -> str | None:
    """A fingerprint of a folder's files (names, sizes, times); None when it is missing.
    `known`: {path in the folder: (size, modification time in ns)} of files the caller wrote or
    linked and knows to be so (the private writer's documents, carry.Carry.known): listed but not
    looked at again (20,000 `stat` calls of the private folder at 20,000 workers)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    lines: list[str] = []
    _listing(str(folder), "", lines, known or {})
    lines.sort()  # the order of the paths, as sorted(folder.rglob("*")) gave it
    h = hashlib.sha256()
    for line in lines:
        h.update(line.split("\0", 1)[1].encode())
    return h.hexdigest()


def _listing(folder: str, prefix: str, out: list, known: dict) -> None:
    """One "sort key\0path|size|mtime" line per file under folder (os.scandir: a large private
    folder has 20,000 files; the sort key orders the paths part by part, as Path objects sort)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):  # as rglob: links to folders are not entered
                _listing(entry.path, rel + "/", out, known)
            elif entry.is_file(follow_symlinks=True):
                found = known.get(rel) if not entry.is_symlink() else None
                if found is None:
                    st = entry.stat(follow_symlinks=True)
                    found = (st.st_size, st.st_mtime_ns)
                out.append(f"{rel.replace('/', chr(1))}\0{rel}|{found[0]}|{found[1]}\n")


def load_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_state(path: Path, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
