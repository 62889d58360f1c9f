"""File names made from data, and the page addresses the site and the printouts share.

Used by both sides (keep them in step through this one module):
- a disclosure notice is published at `notices/<notice_slugs(...)[batch_no]>/`;
- a policy item at `policies/<policy_slugs(...)[item_name]>/`.
The wall printouts use the same names for their files and QR codes point there.

File names made from data go through `safe_filename`: no path separators, no
`..`, no Windows reserved names (CON, NUL, COM1…), no control characters, a
bounded length. `inside()` is the last guard before every write (`write_text`).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

MAX_STEM = 80
_UNSAFE = re.compile(r"[^\w\-.]+")  # \w keeps Han characters, letters, digits, _
_RUNS = re.compile(r"[_]{2,}")
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$",
             *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10)),
             *(f"COM{c}" for c in "¹²³"), *(f"LPT{c}" for c in "¹²³")}


def safe_filename(text: str | None, fallback: str = "未命名") -> str:
    """A file-name stem that stays in its folder on Windows, macOS and Linux.

    'SF-0001' -> 'SF-0001'; '../../etc/passwd' -> 'etc_passwd'; 'CON' -> '_CON';
    '医疗救助（大病）' -> '医疗救助_大病'.
    """
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = _UNSAFE.sub("_", text)
    text = _RUNS.sub("_", text).strip("._- ")
    text = text[:MAX_STEM].rstrip("._- ")
    if not text:
        text = fallback
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    return text


def unique_names(keys, stem=safe_filename) -> dict:
    """key -> a stem unique within the folder (case-insensitively: Windows); later
    clashes get -2, -3 … in the order given."""
    out: dict = {}
    taken: set[str] = set()
    for key in keys:
        base = stem(key)
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.casefold())
        out[key] = name
    return out


def notice_slug(batch_no: str) -> str:
    """Folder name of a disclosure notice page on the site: notices/<slug>/."""
    return safe_filename(batch_no, "notice")


def policy_slug(item_name: str) -> str:
    """Folder name of a policy page on the site: policies/<slug>/ ('医疗救助（大病）' -> '医疗救助_大病')."""
    return safe_filename(item_name, "policy")


# Page names the site keeps for itself; a notice or policy whose slug is one of them
# gets a suffix. Kept here so the site and the wall printouts' QR codes agree.
NOTICE_RESERVED = frozenset({"index", "years"})
POLICY_RESERVED = frozenset({"index", "procedure"})


def _notice_page(batch_no: str) -> str:
    slug = notice_slug(batch_no)
    return slug + "-gs" if slug.casefold() in NOTICE_RESERVED else slug


def _policy_page(name: str) -> str:
    slug = policy_slug(name)
    return slug + "-xm" if slug.casefold() in POLICY_RESERVED else slug


def notice_slugs(batch_nos) -> dict:
    """batch number -> its folder under notices/ on the site, unique; pass every batch with
    a start date, newest first (disclosure.views order), as the site does."""
    return unique_names(batch_nos, stem=_notice_page)


def policy_slugs(item_names) -> dict:
    """item name -> its page under policies/ on the site, unique; pass every item in
    workbook order, as the site does."""
    return unique_names(item_names, stem=_policy_page)


def page_url(site_url: str | None, kind: str, slug: str) -> str | None:
    """Absolute address of a site page ('notices' or 'policies'), or None without a site URL."""
    if not site_url or not site_url.strip():
        return None
    base = site_url.strip().rstrip("/")
    if kind == "notices":  # a notice is a folder (notices/<slug>/index.html)
        return f"{base}/{kind}/{quote(slug)}/"
    return f"{base}/{kind}/{quote(slug)}.html"  # the site has no directory URLs (works as files)


def inside(folder: Path, path: Path) -> Path:
    """`path` resolved, after making sure it stays inside `folder` (a bug otherwise)."""
    root = Path(folder).resolve()
    target = Path(path).resolve()
    if target != root and root not in target.parents:
        raise ValueError(f"refusing to write outside {root}: {target}")
    return target


def write_text(folder: Path, path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write inside `folder` only (file names come from data); a link at `path` is replaced,
    never written through (generator.outputs.write_bytes)."""
    from .outputs import write_bytes

    inside(folder, Path(path).parent)
    write_bytes(path, text.encode(encoding))
    return Path(path)


# where a file's size and modification time read from its open descriptor are those a later
# os.stat gives (Windows may note the time of the last write only when the handle closes)
_NOTED_BY_FD = os.name == "posix"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class FolderWriter:
    """Writes many files into one folder inside `root`: the folder is made and checked
    (resolved, inside `root`) once, not for every file, and each file name must be a plain
    name (no separator, not `.` or `..`; names made by `safe_filename` are).

    `fresh`: the folder is a staging folder no reader looks at while it is being written
    (a build's new private folder). A file is then created exclusively (O_EXCL) and written
    directly, without a temporary file and a rename; a name that already exists (a document
    carried over by hard link, a symbolic link) is never opened: it is replaced through
    `outputs.write_bytes` as every other write is. Without `fresh` (a live folder, e.g.
    `bangfu dossier` writing in place) every file goes through `write_bytes`, so a reader
    never sees half a file.
    """

    def __init__(self, root: Path, folder: Path, *, fresh: bool = False):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        inside(root, self.folder)
        self.fresh = fresh
        self.text = os.fspath(self.folder)  # the folder as a string (paths made by joining strings)

    def path(self, name: str) -> Path:
        """Where `name` goes (refused unless it is a plain file name)."""
        return self.folder / self._checked(name)

    def _checked(self, name: str) -> str:
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise ValueError(f"refusing to write a file named {name!r} into {self.folder}")
        return name

    def holds(self, path) -> bool:
        """Whether `path` names a file directly in this folder."""
        return os.path.dirname(path) == self.text

    def write(self, name: str, data: bytes) -> Path:
        path = os.path.join(self.text, self._checked(name))
        self._write(path, data)
        return Path(path)

    def write_noted(self, name: str, data: bytes) -> tuple[int, int] | None:
        """write(), and the new file's (size, modification time in ns) as os.stat would give
        them after, taken from the open descriptor (no second look-up of the name), where it
        was created here on a POSIX system; else None (the caller looks at the file itself)."""
        return self._write(os.path.join(self.text, self._checked(name)), data)

    def _write(self, path: str, data: bytes) -> tuple[int, int] | None:
        from .outputs import write_bytes

        if self.fresh:
            try:
                # owner-only, as write_bytes' temporary files are: the documents hold personal data
                fd = os.open(path, _CREATE, 0o600)
            except FileExistsError:
                write_bytes(Path(path), data)
                return None
            noted = None
            try:
                # written through the descriptor (no file object: 20,000 dossiers a build)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                    if _NOTED_BY_FD:  # nothing writes to it after: its size and time are final
                        st = os.fstat(fd)
                        noted = (st.st_size, st.st_mtime_ns)
                finally:
                    os.close(fd)
            except BaseException:
                try:
                    os.unlink(path)
                except OSError:
                    pass
                raise
            return noted
        write_bytes(Path(path), data)
        return None
