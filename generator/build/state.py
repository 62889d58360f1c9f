"""The state of the last good build: what its output depended on (`input_key`), and
fingerprints of the folders it wrote (`manifest`), so an unchanged build does nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from ..reading import input_files
from ..render import PACKAGE_TEMPLATES
from ..site.mkdocs_run import MKDOCS_YML

CODE_ROOT = Path(__file__).resolve().parent.parent  # the generator package


def _hash_files(h, paths) -> None:
    for path in paths:
        h.update(str(path).encode("utf-8") + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")


def input_key(records_dir: Path, template_dirs, *, today: date, pdf: bool, private_dir) -> str:
    """Everything a build's output depends on: the workbooks, templates, code and options."""
    h = hashlib.sha256(f"{today.isoformat()}|{pdf}|{private_dir}".encode())
    _hash_files(h, input_files(records_dir))  # .xls/.ods copies are read too
    code = sorted(CODE_ROOT.rglob("*.py")) + sorted(CODE_ROOT.rglob("data/*")) + [MKDOCS_YML]
    for folder in [*template_dirs, PACKAGE_TEMPLATES]:
        code += sorted(p for p in Path(folder).rglob("*") if p.is_file())
    _hash_files(h, code)
    return h.hexdigest()


def theme_fingerprint() -> str:
    """The parts of the site that are not in the generated docs: theme overrides and mkdocs.yml."""
    h = hashlib.sha256()
    _hash_files(h, [MKDOCS_YML, *sorted(p for p in (PACKAGE_TEMPLATES / "overrides").rglob("*") if p.is_file())])
    return h.hexdigest()


def manifest(folder: Path) -> str | None:
    """A fingerprint of a folder's files (names, sizes, times); None when it is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            h.update(f"{path.relative_to(folder).as_posix()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def load_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_state(path: Path, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
