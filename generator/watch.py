"""Waiting for a saved workbook or template: filesystem events, polling as the fallback.

    watcher = Watcher(Path("records"))
    while watcher.wait(stop):   # True once a watched file changed and the writes settled
        rebuild()

With watchdog (a dependency of mkdocs) the operating system reports each write, so
a save is noticed within milliseconds instead of on the next one-second poll, and
the rebuild starts once the writes have been quiet for SETTLE seconds (Excel and
WPS save in several steps: a temporary file, the old file moved aside, then a
rename; while a workbook is missing the watcher waits for it, up to GONE_WAIT
seconds) instead of after a fixed wait. A changed .xlsx/.ods that already ends in its
zip end record (written last) and keeps its size and time for QUICK seconds starts
the rebuild at once: the clerk does not wait out the settle time after each save.
Events of a file only being read (opened, closed without writing) are not changes. Without watchdog, or when the folder
cannot be watched (some network drives), the files are polled once a second as
before.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from .reading import input_files

POLL_SECONDS = 1.0
SETTLE = 0.15  # seconds without writes before a rebuild starts
QUICK = 0.04  # ... or this long, when every changed workbook is a whole zip file whose size and time stay put
ZIPPED = {".xlsx", ".xlsm", ".ods"}  # workbooks that are zip files: complete once their end record is written
READS = {"opened", "closed_no_write"}  # watchdog's events of a file only read (the check for a whole zip reads it)
GONE_WAIT = 2.0  # seconds a watched workbook may be missing (mid-save) before the rebuild starts anyway


def watched(records_dir: Path) -> list[Path]:
    """The four workbooks (.xlsx, or .xls/.ods read instead) and every file of the station's
    own templates."""
    files = input_files(records_dir)
    templates = templates_dir(records_dir)
    if templates.is_dir():
        files += sorted(p for p in templates.rglob("*") if p.is_file())
    return files


def templates_dir(records_dir: Path) -> Path:
    return Path(records_dir).resolve().parent / "site_templates"


def stamp(files: list[Path]) -> tuple:
    out = []
    for f in files:
        try:
            st = f.stat()
            out.append((str(f), st.st_ino, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(f), None, None, None))
    return tuple(out)


class Watcher:
    def __init__(self, records_dir: Path, *, poll: float = POLL_SECONDS, settle: float = SETTLE,
                 events: bool = True):
        self.records_dir = Path(records_dir)
        self.poll, self.settle = poll, settle
        self.last = stamp(watched(self.records_dir))
        self._changed = threading.Event()
        self._last_event = 0.0
        self._observer = self._observe() if events else None

    @property
    def uses_events(self) -> bool:
        return self._observer is not None

    def _relevant(self, path: str) -> bool:
        p = Path(path)
        names = {f.name for f in input_files(self.records_dir)}
        if p.parent.resolve() == self.records_dir.resolve() and p.name in names:
            return True
        templates = templates_dir(self.records_dir)
        return templates == p.resolve() or templates in p.resolve().parents

    def _observe(self):
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            return None
        watcher = self

        templates = templates_dir(self.records_dir)

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type in READS:
                    return
                paths = [event.src_path, getattr(event, "dest_path", "") or ""]
                if any(p and watcher._relevant(str(p)) for p in paths):
                    if not watcher._templates_watched and templates.is_dir():
                        watcher._watch_templates(observer, Handler)  # created since: its files too
                    watcher._last_event = time.monotonic()
                    watcher._changed.set()

        observer = Observer()
        self._templates_watched = False
        try:
            observer.schedule(Handler(), str(self.records_dir.resolve()), recursive=False)
            if templates.is_dir():
                self._watch_templates(observer, Handler)
            # the templates folder may be created later: watch the parent for it too (then the
            # folder itself, once it is there: the parent's events do not tell of its files)
            observer.schedule(Handler(), str(templates.parent), recursive=False)
            observer.daemon = True
            observer.start()
        except (OSError, RuntimeError):
            return None
        return observer

    def _watch_templates(self, observer, handler) -> None:
        try:
            observer.schedule(handler(), str(templates_dir(self.records_dir)), recursive=True)
            self._templates_watched = True
        except (OSError, RuntimeError):  # gone again, or cannot be watched: the next event tries again
            pass

    def wait(self, stop: threading.Event) -> bool:
        """Block until a watched file changed (True) or `stop` is set (False)."""
        while not stop.is_set():
            if self._observer is not None:
                if not self._changed.wait(0.2):
                    continue
                if not self._settled(stop):
                    return False
                self._changed.clear()
            elif stop.wait(self.poll):
                return False
            now = stamp(watched(self.records_dir))
            if now != self.last:
                if self._observer is None:  # polling: give the save time to finish
                    time.sleep(0.5)
                    now = stamp(watched(self.records_dir))
                self.last = now
                return True
        return False

    def _settled(self, stop: threading.Event) -> bool:
        """Wait until the writes have been quiet for `settle` seconds (False: `stop` was set),
        and, while a workbook that was there is missing (Excel and WPS move the old file
        aside before renaming the new one into its place), until it is back or for at most
        GONE_WAIT seconds."""
        gone_since = None
        seen = None  # the files' stamps at the last look during the settle time
        while True:
            quiet = time.monotonic() - self._last_event
            if quiet < self.settle:
                look = QUICK / 2  # two looks this far apart see the same stamps
                if quiet >= look:
                    now = stamp(watched(self.records_dir))
                    if now == seen and _complete(now, self.last):
                        return True
                    seen = now
                if stop.wait(min(self.settle - quiet, look) if quiet >= look else look - quiet):
                    return False
                continue
            missing = any(size is not None and not Path(name).exists() for name, _, _, size in self.last)
            if not missing:
                return True
            gone_since = gone_since if gone_since is not None else time.monotonic()
            if time.monotonic() - gone_since >= GONE_WAIT:
                return True  # deleted for good: the build says which workbook is missing
            if stop.wait(self.settle / 2):
                return False

    def close(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)


def _complete(now: tuple, before: tuple) -> bool:
    """Whether the save that changed these stamps has plainly ended: every changed file is there
    and is a workbook in a zip file ending in its end record (a zip is written front to back,
    that record last); a changed template or .xls file waits out the whole settle time."""
    old = {name: rest for name, *rest in before}
    changed = [(name, size) for name, ino, mtime, size in now if old.get(name) != [ino, mtime, size]]
    return bool(changed) and all(size is not None and Path(name).suffix.lower() in ZIPPED
                                 and _zip_ends(Path(name), size) for name, size in changed)


def _zip_ends(path: Path, size: int) -> bool:
    """The file's last bytes are a zip end record whose comment reaches exactly to the end."""
    tail = min(size, 22 + 0xFFFF)
    try:
        with open(path, "rb") as f:
            f.seek(size - tail)
            data = f.read(tail)
    except OSError:
        return False
    at = data.rfind(b"PK\x05\x06")
    while at >= 0:
        if len(data) >= at + 22 and at + 22 + int.from_bytes(data[at + 20:at + 22], "little") == len(data):
            return True
        at = data.rfind(b"PK\x05\x06", 0, at)
    return False
