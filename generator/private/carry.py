"""Incremental private output: carry unchanged documents over from the last build.

Every private document (dossier, receipt sheet, index, quarterly report, 办结表)
gets a fingerprint made from exactly what it shows — the context its template
renders, the figures of a report, the rows of a 办结表 (closing.Book) — plus
the templates, the program code and the station's settings. `.bangfu-fingerprints` in the private folder keeps, per
file, its fingerprint, the digest of its content (print date excluded, see
common.PRINTED) and its size and modification time. The next build asks
`Carry.reuse(path, fingerprint)`: when the fingerprint is the same and the old
file is still exactly the file the last build wrote, it is hard-linked into the
staging folder (copied where links are impossible, e.g. across drives) instead
of being rendered again.

The date a document was printed is not part of its fingerprint: a dossier that
did not change keeps the print date of the build that last wrote it, as its PDF
already did. Hard-linked files are never written through: every write goes to a
new file that replaces the name (outputs.write_bytes), so the live folder is never
touched while a build runs and the atomic swap and kill-safety stay as they were.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import shutil
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..record_views import stable_bytes
from . import parallel
from .common import Doc

NAME = ".bangfu-fingerprints"
VERSION = "1"
# The file: this line, then the entries through marshal (plain values only: str, int, bool, None,
# lists and dicts). For 20,000 dossiers it loads in a tenth of JSON's time and saves in a
# thirtieth; a file without the line (another version's, damaged) is no file: nothing is carried.
MAGIC = b"bangfu-fingerprints 2\n"
CODE_ROOT = Path(__file__).resolve().parent.parent


def to_plain(value):
    """`value` (tuples, lists, str, int, bool, None, dates, Decimals) as plain values marshal
    writes, for a derived value kept in the fingerprints file: a date as {"d": day number}, a
    Decimal as {"D": its text} (no kept value is a dict otherwise). The file lies in the private
    folder, which clerks copy around: it never holds pickled data, whose loading can run code."""
    kind = type(value)
    if kind is tuple:
        return tuple(map(to_plain, value))
    if kind is list:
        return list(map(to_plain, value))
    if kind is date:
        return {"d": value.toordinal()}
    if kind is Decimal:
        return {"D": str(value)}
    if value is None or kind in (str, int, bool):
        return value
    raise TypeError(f"not a plain value: {kind.__name__}")


def from_plain(value):
    """to_plain undone. A damaged value raises TypeError, ValueError or KeyError (the caller
    then works it out again)."""
    kind = type(value)
    if kind is tuple:
        return tuple(map(from_plain, value))
    if kind is list:
        return list(map(from_plain, value))
    if kind is dict:
        if len(value) != 1:
            raise ValueError("not a kept value")
        if "d" in value:
            return date.fromordinal(value["d"])
        return Decimal(value["D"])
    return value


def _hash_tree(h, folder: Path, pattern: str) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            h.update(path.read_bytes())


def salt(template_dirs) -> str:
    """What every private document depends on besides its own data: program, templates, the
    official holiday calendar's package (its version decides working days) and XlsxWriter's (it
    writes the 办结表's frame and numbers the styles its rows name)."""
    from importlib import metadata

    h = hashlib.sha256(VERSION.encode())
    for package in ("chinesecalendar", "XlsxWriter"):
        try:
            h.update(f"{package.lower()} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            pass
    _hash_tree(h, CODE_ROOT, "*.py")
    for folder in template_dirs:
        _hash_tree(h, Path(folder), "*")
    return h.hexdigest()


def link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _link(source: str, target: str) -> None:
    """link_or_copy for the many carried documents: plain os calls, the folder made and a
    name already there removed only when the first link fails."""
    try:
        os.link(source, target)
        return
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    except FileExistsError:
        os.unlink(target)
    except OSError:
        pass
    link_or_copy(Path(source), Path(target))


# whether files can be looked at and linked by name in an open folder (Linux, macOS)
_BY_DIR_FD = os.stat in os.supports_dir_fd and os.link in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)

def child_paths(folder: Path):
    """A function giving `folder / name` for many plain file names: Path's own maker of a child
    path from a name known to be plain (what its directory walks use, a fifth of the `/`
    operator's time for 20,000 dossiers), where this Python has it."""
    make = getattr(folder, "_make_child_relpath", None)
    if make is not None:
        try:
            if make("x") == folder / "x":
                return make
        except (TypeError, ValueError, AttributeError):
            pass
    return folder.joinpath


def _extended(entry: dict, extra: dict | None) -> dict:
    """A carried entry with `extra` fields (the last build's dict itself when they are its own)."""
    if extra:
        for k, v in extra.items():
            if entry.get(k) != v:
                return {**entry, **extra}
    return entry


def _carried_entries(old: dict) -> dict[str, list[tuple[str, str, int, int]]]:
    """The documents of a fingerprints file by folder (a name in the private folder, "" for its
    top): [(file name, key, size, modification time)]."""
    folders: dict[str, list] = {}
    for key, entry in old.items():
        if type(entry) is not dict or type(entry.get("size")) is not int or type(entry.get("mtime")) is not int:
            continue  # the file's other entries (.filing-order and the like)
        folder, _, name = key.rpartition("/")
        if not name or name in (".", "..") or any(part in ("", ".", "..") for part in folder.split("/") if folder):
            continue
        folders.setdefault(folder, []).append((name, key, entry["size"], entry["mtime"]))
    return folders


def prelink(previous: Path, staging: Path) -> dict[str, int]:
    """Link every document the last build wrote and nobody changed since (its size and time
    are those noted in the fingerprints file) into the empty staging folder, before this build
    knows which documents changed: {key: the file's inode} of those linked. The private writer
    then carries a document whose fingerprint is the last build's without a system call
    (Carry.staged), writes a changed one over its link (writes replace a name, never write
    through it) and removes the links of documents it no longer writes (drop_unused).

    Run in a process of its own while the build reads the workbooks (build/private_job.Prelink):
    at 20,000 workers these 20,000 stat and link calls cost a third of a second of the private
    writer's time, which the build waited for. Needs folders opened by descriptor (Linux, macOS)."""
    staged: dict[str, int] = {}
    if not _BY_DIR_FD:
        return staged
    folders = _carried_entries(load(Path(previous) / NAME))
    for folder, items in folders.items():
        source_folder = os.path.join(os.fspath(previous), folder)
        target_folder = os.path.join(os.fspath(staging), folder)
        try:
            source = os.open(source_folder, _DIR_FLAGS)
        except OSError:
            continue
        try:
            os.makedirs(target_folder, exist_ok=True)
            target = os.open(target_folder, _DIR_FLAGS)
        except OSError:
            os.close(source)
            continue
        try:
            for name, key, size, mtime in items:
                try:
                    st = os.stat(name, dir_fd=source, follow_symlinks=False)
                    if st.st_size != size or st.st_mtime_ns != mtime or not stat.S_ISREG(st.st_mode):
                        continue  # changed by hand (or by `bangfu dossier`) since the last build
                    os.link(name, name, src_dir_fd=source, dst_dir_fd=target, follow_symlinks=False)
                except OSError:
                    continue  # another drive, a name taken: the writer links or renders it as ever
                staged[key] = st.st_ino
        finally:
            os.close(target)
            os.close(source)
    return staged


# The prelink this process's private writer may take (prelinked): (the last build's folder, the
# staging folder, a function waiting for prelink's result: the dict, or None when it failed)
_PRELINKED: tuple[str, str, object] | None = None


def prelinked(previous: Path | None, staging: Path | None, result=None) -> None:
    """Hand the result of `prelink(previous, staging)` (a function waiting for it) to the Carry
    that writes into `staging` with `previous` as its last build (the private writer, forked
    from the process that started the prelink); prelinked(None, None) forgets it."""
    global _PRELINKED
    _PRELINKED = None if previous is None else (os.fspath(previous), os.fspath(staging), result)



def _link_at(name: str, source: int, target: int, source_folder: str, target_folder: Path) -> bool:
    """Link `name` of the open folder `source` into the open folder `target`; where a link is
    impossible (another drive), copied by path (link_or_copy). False when neither works."""
    try:
        os.link(name, name, src_dir_fd=source, dst_dir_fd=target, follow_symlinks=False)
        return True
    except FileExistsError:
        try:
            os.unlink(name, dir_fd=target)
            os.link(name, name, src_dir_fd=source, dst_dir_fd=target, follow_symlinks=False)
            return True
        except OSError:
            pass
    except OSError:
        pass
    try:
        link_or_copy(Path(source_folder) / name, Path(target_folder) / name)
        return True
    except OSError:
        return False


class Later:
    """A document queued for rendering (Carry.defer): its path now, its digest after Carry.finish."""

    __slots__ = ("path", "digest")

    def __init__(self, path: Path):
        self.path = path
        self.digest = ""


class Carry:
    """Fingerprints of the last build's documents, and those of this build as it goes.

    `previous` is the folder the last build wrote (the live private folder); it may be
    `out_dir` itself when a writer runs again in place; None starts from nothing.
    """

    def __init__(self, out_dir: Path, previous: Path | None, salt_text: str):
        self.out_dir = Path(out_dir)
        self.previous = Path(previous) if previous is not None else None
        self.in_place = self.previous is not None and self.previous.resolve() == self.out_dir.resolve()
        self.salt = salt_text
        self._prefix = os.path.join(os.fspath(self.out_dir), "")
        self.old: dict = {}
        if self.previous is not None:
            self.old = load(self.previous / NAME)
        self.new: dict = {}
        # {key: inode} of the documents prelink linked into out_dir already (see there), None without
        self.staged: dict[str, int] | None = None
        if _PRELINKED is not None and self.previous is not None and not self.in_place \
                and _PRELINKED[:2] == (os.fspath(self.previous), os.fspath(self.out_dir)):
            self.staged = self._take_prelinked(_PRELINKED[2])
        self.queue: list | None = None  # renders waiting for finish() (see defer)
        self.reused = 0
        self.unworked = 0  # of those reused, carried by their inputs (not worked out at all)
        self.rendered = 0

    def _take_prelinked(self, result) -> dict[str, int] | None:
        """prelink's result; when it failed (its process killed), whatever it may have linked is
        removed again, and the documents are carried one by one as without it (None)."""
        try:
            staged = result()
        except Exception:  # noqa: BLE001 - a broken pipe, a process gone: as if none had run
            staged = None
        if isinstance(staged, dict):
            return staged
        for folder, items in _carried_entries(self.old).items():
            if folder:
                shutil.rmtree(os.path.join(self._prefix, folder), ignore_errors=True)
            else:
                for name, *_ in items:
                    try:
                        os.unlink(os.path.join(self._prefix, name))
                    except OSError:
                        pass
        return None

    def drop_unused(self) -> None:
        """Remove the links prelink made of documents this build did not carry and did not write
        anew (a worker deleted, a batch renamed): stale copies of personal data do not linger. A
        file written in place of such a link (a new inode) is this build's own and stays."""
        if not self.staged:
            return
        new = self.new
        for key, inode in self.staged.items():
            if key in new:
                continue
            path = self._prefix + key
            try:
                if os.stat(path, follow_symlinks=False).st_ino == inode:
                    os.unlink(path)
            except OSError:
                pass

    def fingerprint(self, kind: str, *parts) -> str:
        """A fingerprint of `parts` (plain values, records, contexts). Pickled without the
        memo (`fast`): with it, equal values pickle differently when one build shares an
        object where another holds two equal ones (records parsed from a workbook against
        records loaded from the read store), and an unchanged report was rendered again.
        Without it every value is written out in full: equal parts, equal bytes."""
        h = hashlib.sha256(f"{self.salt}|{kind}|".encode())
        try:
            h.update(stable_bytes(parts))
        except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
            h.update(repr(parts).encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def plain_fingerprint(self, kind: str, *parts) -> str:
        """fingerprint() of parts made of plain values only (str, bytes, int, None, lists and
        tuples of them): marshal (version 0, no references) writes them with their types at
        once, without fingerprint()'s walk over every value (20,000 dossiers a build)."""
        h = hashlib.sha256(f"{self.salt}|{kind}|plain|".encode())
        h.update(marshal.dumps(parts, 0))
        return h.hexdigest()

    def _key(self, path: Path) -> str:
        text = os.fspath(path)
        if text.startswith(self._prefix):  # the usual case, without Path's relative_to (20,000 times)
            key = text[len(self._prefix):]
            return key.replace(os.sep, "/") if os.sep != "/" else key
        return Path(path).relative_to(self.out_dir).as_posix()

    def reuse(self, path: Path, fingerprint: str, field: str = "fp") -> Doc | None:
        """The document carried over from the last build, or None when it must be rendered.
        `field` "inputs" compares a fingerprint of what the document is worked out from
        (see `document`) instead of the fingerprint of what it shows."""
        key = self._key(path)
        entry = self.old.get(key)
        if not isinstance(entry, dict) or entry.get(field) != fingerprint or self.previous is None:
            return None
        if self.staged is not None and key in self.staged:  # linked already (prelink)
            self.new[key] = entry
            self.reused += 1
            return Doc(Path(path), entry.get("digest", ""))
        source = os.path.join(os.fspath(self.previous), key)
        try:
            st = os.stat(source)
        except OSError:
            return None
        if st.st_size != entry.get("size") or st.st_mtime_ns != entry.get("mtime"):
            return None  # changed by hand (or by `bangfu dossier`) since the last build
        if not self.in_place:
            try:
                _link(source, os.fspath(path))
            except OSError:
                return None
        self.new[key] = entry
        self.reused += 1
        return Doc(Path(path), entry.get("digest", ""))

    def reuse_many(self, folder: Path, wanted: list[tuple[str, str, dict | None]]) -> list[Doc | None]:
        """reuse() for many documents of one folder at once (the 20,000 dossiers): `wanted` holds
        (file name, fingerprint, extra fields for the entry); the carried Doc, or None, of each.
        Those prelink linked already are carried without a system call; for the others the last
        build's folder and the new one are opened once and every file is looked at and linked by
        its name in them (no path resolved again per file, no Path made for a document that is
        not carried); where the system cannot (Windows), document by document."""
        out: list[Doc | None] = [None] * len(wanted)
        if self.previous is None or not wanted:
            return out
        rel = self._key(folder)
        if not _BY_DIR_FD:
            for n, (name, fingerprint, extra) in enumerate(wanted):
                doc = out[n] = self.reuse(Path(folder) / name, fingerprint)
                if doc is not None and extra:
                    self._extend(f"{rel}/{name}", extra)
            return out
        old, new = self.old, self.new
        docs = child_paths(Path(folder))
        staged = self.staged
        rest = []  # the documents to carry by a system call each (those prelink did not link)
        for n, (name, fingerprint, extra) in enumerate(wanted):
            key = f"{rel}/{name}"
            entry = old.get(key)
            if type(entry) is not dict or entry.get("fp") != fingerprint:
                continue
            if staged is None or key not in staged:
                rest.append(n)
                continue
            new[key] = _extended(entry, extra)  # linked already by prelink: no system call
            self.reused += 1
            out[n] = Doc(docs(name), entry.get("digest", ""))
        if not rest:
            return out
        source_folder = os.path.join(os.fspath(self.previous), rel)
        try:
            source = os.open(source_folder, _DIR_FLAGS)
        except OSError:
            return out
        try:
            target = None
            if not self.in_place:
                os.makedirs(os.path.join(self._prefix, rel), exist_ok=True)
                target = os.open(os.path.join(self._prefix, rel), _DIR_FLAGS)
            try:
                folder = Path(folder)
                for n in rest:
                    name, fingerprint, extra = wanted[n]
                    key = f"{rel}/{name}"
                    entry = old[key]
                    try:
                        st = os.stat(name, dir_fd=source, follow_symlinks=False)
                    except OSError:
                        continue
                    if st.st_size != entry.get("size") or st.st_mtime_ns != entry.get("mtime") \
                            or not stat.S_ISREG(st.st_mode):
                        continue  # changed by hand (or by `bangfu dossier`) since the last build
                    if target is not None and not _link_at(name, source, target, source_folder, folder):
                        continue
                    new[key] = _extended(entry, extra)
                    self.reused += 1
                    out[n] = Doc(docs(name), entry.get("digest", ""))
            finally:
                if target is not None:
                    os.close(target)
        finally:
            os.close(source)
        return out

    def _extend(self, key: str, extra: dict) -> None:
        self.new[key] = {**self.new[key], **extra}

    def old_entry(self, path: Path) -> dict | None:
        """The last build's entry of the document at `path`, or None."""
        entry = self.old.get(self._key(path))
        return entry if isinstance(entry, dict) else None

    def entry(self, path: Path) -> dict:
        """This build's entry of the document at `path` (carried or written), to note more
        fields in (plain JSON values, kept for the next build)."""
        key = self._key(path)
        entry = self.new[key] = dict(self.new[key])  # carried entries are the last build's dicts
        return entry

    def store(self, doc: Doc, fingerprint: str, inputs: str | None = None, extra: dict | None = None) -> Doc:
        """Note a freshly written document (`extra`: more fields for its entry)."""
        noted = doc.noted  # noted by the process that wrote it (a rendering process), or looked at here
        if noted is None:
            st = os.stat(doc.path)  # a Path already: not made again (Path() parses it anew, 20,000 times)
            noted = (st.st_size, st.st_mtime_ns)
        entry = {"fp": fingerprint, "digest": doc.digest, "size": noted[0], "mtime": noted[1]}
        if inputs is not None:
            entry["inputs"] = inputs
        if extra:
            entry.update(extra)
        self.new[self._key(doc.path)] = entry
        self.rendered += 1
        return doc

    def document(self, path: Path, fingerprint, render, heavy: bool = False, inputs: str | None = None,
                 extra: dict | None = None) -> Doc:
        """The document at `path`: carried over, or `render()` (which writes it and returns the Doc).
        After `defer()`, the render waits for `finish()` and a Later stands in for the Doc
        (its path is known at once, its digest after finish); `heavy` marks a slow render.

        With `inputs` (a fingerprint of everything the document is worked out from, e.g. the
        tables of a record_views view), a document whose inputs are those of the last build
        is carried without its own fingerprint being worked out: `fingerprint` may then be a
        callable, called only when the inputs changed (equal inputs give an equal document).
        `extra` (plain JSON values) is kept in the document's entry, carried or rendered, for
        the next build (e.g. the per-table digests a dossier's fingerprint is made of)."""
        if inputs is not None:
            doc = self.reuse(path, inputs, "inputs")
            if doc is not None:
                self.unworked += 1
                if extra:
                    key = self._key(path)
                    self.new[key] = {**self.new[key], **extra}
                return doc
        if callable(fingerprint):
            fingerprint = fingerprint()
        doc = self.reuse(path, fingerprint)
        if doc is not None:
            if inputs is not None or extra:
                key = self._key(path)
                self.new[key] = {**self.new[key], **({"inputs": inputs} if inputs is not None else {}), **(extra or {})}
            return doc
        if self.queue is None:
            return self.store(render(), fingerprint, inputs, extra)
        later = Later(path if isinstance(path, Path) else Path(path))
        self.queue.append((later, (fingerprint, inputs, extra), render, heavy))
        return later  # type: ignore[return-value]

    def always(self, path: Path, render, heavy: bool = False) -> Doc:
        """A document written by every build, never carried (and not noted in the fingerprints):
        rendered at once, or with the queued ones after `defer()`."""
        if self.queue is None:
            return render()
        later = Later(Path(path))
        self.queue.append((later, (None, None, None), render, heavy))
        return later  # type: ignore[return-value]

    def defer(self) -> None:
        """Queue the renders from now on, to run together (in several processes) in finish()."""
        if self.queue is None:
            self.queue = []

    def queued(self, *folders: str) -> bool:
        """Whether a document in one of `folders` (names in the output folder) waits for finish()."""
        inside = {self.out_dir / f for f in folders}
        return any(later.path.parent in inside for later, *_ in self.queue or ())

    def finish(self, processes: int | None = None) -> None:
        """Render every queued document (parallel.render_all) and note it; `processes` as
        finish_aside's."""
        queue, self.queue = self.queue or [], None
        self.finish_aside(queue, processes)

    def set_aside(self, *folders: str) -> list:
        """Take the queued renders of documents in `folders` (names in the output folder) out of
        the queue, to be rendered later by finish_aside (the workbooks, while the browser prints
        the PDFs: they are no PDF's source)."""
        inside = {self.out_dir / f for f in folders}
        aside = [job for job in self.queue or () if job[0].path.parent in inside]
        if aside:
            self.queue = [job for job in self.queue or () if job[0].path.parent not in inside]
        return aside

    def finish_aside(self, queue: list, processes: int | None = None) -> None:
        """Render the renders set aside (set_aside) and note them; `processes` as render_all's
        (1: in this process, e.g. while other threads run, which a fork must not copy)."""
        if not queue:
            return
        outcomes = parallel.render_outcomes([render for _, _, render, _ in queue], [h for *_, h in queue],
                                            processes=processes)
        for (later, (fingerprint, inputs, extra), _, _), (digest, noted) in zip(queue, outcomes):
            later.digest = digest
            if fingerprint is not None:
                self.store(Doc(later.path, digest, noted), fingerprint, inputs, extra)

    def known(self) -> dict[str, tuple[int, int]]:
        """{path in out_dir: (size, modification time)} of this build's documents as noted (each
        written here and looked at, or carried after its size and time were compared): what
        state.manifest need not look at again once the folder is complete."""
        out = {}
        for key, entry in self.new.items():
            if type(entry) is dict:
                size, mtime = entry.get("size"), entry.get("mtime")
                if type(size) is int and type(mtime) is int:
                    out[key] = (size, mtime)
        return out

    def save(self) -> None:
        tmp = self.out_dir / (NAME + ".tmp")
        tmp.write_bytes(MAGIC + marshal.dumps(self.new))
        os.replace(tmp, self.out_dir / NAME)


def load(path: Path) -> dict:
    """The entries of a fingerprints file, or {} when it is missing, unreadable or not ours."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return {}
    if not data.startswith(MAGIC):
        return {}
    try:
        found = marshal.loads(data[len(MAGIC):])
    except (EOFError, ValueError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def nothing(out_dir: Path) -> Carry:
    """A Carry that reuses nothing (single documents written by commands)."""
    return Carry(out_dir, None, "")
