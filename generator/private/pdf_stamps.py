"""The stamps store: stamp PDFs (each page count's page header and "第 k 页，共 n 页" footer, see
pdf_volume.py) printed by the browser, kept by (head key, page count) in memory and, while a build
keeps them (keep_stamps), in its output folder for the next build, pruned at a build's end
(Stamps.prune)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .browser_share import find_browser

_state: dict = {}


def _stamps() -> Stamps:
    """The stamps this browser printed (pdf_volume.print_volumes), shared by the threads that
    print volumes side by side: a page count's footer is printed once per build, not per browser,
    and, while a build keeps them in its output folder (keep_stamps), once for all builds."""
    folder = _stamp_folder.get("folder")
    return _stamp_sets.setdefault((find_browser() or "", folder), Stamps(folder))


# stamp PDFs (bytes) by browser and folder, then by head and page count
_stamp_sets: dict[tuple, Stamps] = {}
_stamp_folder: dict = {}
STAMPS_FOLDER = ".pdf-stamps"
# The folder keeps at most this many stamps and bytes of them: beyond either, at the end of a
# build, the stamps it did not use are removed, the oldest first (heads of templates long
# changed, page counts no longer printed); what the build used stays. A 20,000-worker station's
# receipt sheets alone need hundreds of page counts (up to 4,000 pages), so emptying the folder
# at 200 stamps had every build print them all again.
MOST_STAMPS = 3000
MOST_STAMP_BYTES = 256 * 1024 * 1024


def keep_stamps(out_dir: Path | None) -> None:
    """Keep the stamps the browser prints in `out_dir`/.pdf-stamps from now on (None: in memory
    only): the next build finds them there (the last build's PDFs are linked into its folder),
    so a rebuild that patches a volume prints the changed dossier, not its footers again."""
    if out_dir is None:
        folder = _stamp_folder.pop("folder", None)
        for (_, kept_in), stamps in _stamp_sets.items():
            if folder is not None and kept_in == folder:
                stamps.prune()
    else:
        _stamp_folder["folder"] = Path(out_dir) / STAMPS_FOLDER


class Stamps(dict):
    """Stamp PDFs by (head key, page count), as pdf_volume.print_volumes keeps them: in memory,
    and with `folder` also on disk, each under a digest of its key, the browser (its file, size
    and time: an updated browser prints its own) and the code that prints stamps. A file that is
    unreadable or has another page count is printed again. When the folder holds too many,
    what a build did not use is removed at its end (prune)."""

    def __init__(self, folder: Path | None = None):
        super().__init__()
        self.folder = folder
        self.used: set[str] = set()  # file names this process found or printed

    def _file(self, key) -> Path:
        head, pages = key
        name = hashlib.sha256(f"{_stamp_salt()}\n{head}\n{pages}".encode()).hexdigest()[:40]
        return self.folder / f"{name}.pdf"

    def __contains__(self, key) -> bool:
        if self.folder is None:
            return dict.__contains__(self, key)
        path = self._file(key)
        if dict.__contains__(self, key):
            self.used.add(path.name)
            return True
        try:
            data = path.read_bytes()
            from . import pdf_objects

            if pdf_objects.page_count(data) != key[1]:
                return False
        except Exception:  # noqa: BLE001 - missing, damaged: printed again
            return False
        self.used.add(path.name)
        dict.__setitem__(self, key, data)
        return True

    def __setitem__(self, key, data: bytes) -> None:
        dict.__setitem__(self, key, data)
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self._file(key)
            tmp = target.with_suffix(f".{os.getpid()}.part")
            tmp.write_bytes(data)
            tmp.replace(target)  # never written through a link to the last build's file
            self.used.add(target.name)
        except OSError:
            pass  # kept in memory only

    def prune(self) -> None:
        """At the end of a build: while the folder holds more than MOST_STAMPS stamps or
        MOST_STAMP_BYTES, remove those this build did not use, the oldest printed first. Then
        start counting the next build's."""
        used, self.used = self.used, set()
        if self.folder is None or not self.folder.is_dir():
            return
        kept = []
        for path in self.folder.iterdir():
            if path.suffix == ".pdf":
                try:
                    st = path.stat()
                except OSError:
                    continue
                kept.append((st.st_mtime_ns, st.st_size, path))
        count, size = len(kept), sum(s for _, s, _ in kept)
        removed = set()
        for _, bytes_, path in sorted(kept, key=lambda k: k[0]):
            if count <= MOST_STAMPS and size <= MOST_STAMP_BYTES:
                break
            if path.name in used:
                continue
            try:
                path.unlink()
            except OSError:
                continue
            removed.add(path.name)
            count, size = count - 1, size - bytes_
        for key in [key for key in self if self._file(key).name in removed]:
            del self[key]  # printed again when asked for (serve builds on in this process)


def _stamp_salt() -> str:
    """What a stamp depends on besides its head and page count: the browser's file (path, size,
    time) and the code that prints it (pdf_volume's stamp page, browser's print options)."""
    if "stamp_salt" not in _state:
        browser = find_browser() or ""
        try:
            st = os.stat(browser)
            found = f"{browser}|{st.st_size}|{st.st_mtime_ns}"
        except OSError:
            found = browser
        here = Path(__file__).parent
        code = hashlib.sha256()
        for name in ("pdf_volume.py", "browser.py"):
            try:
                code.update((here / name).read_bytes())
            except OSError:
                code.update(name.encode("ascii"))
        _state["stamp_salt"] = f"{found}|{code.hexdigest()}"
    return _state["stamp_salt"]
