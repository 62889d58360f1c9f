"""Searching the normalised lines of the output for the values (scan_folder), with
what the last scan read and found kept (FileCache)."""

from __future__ import annotations

import bisect
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .files import _LINES, _STRINGS, _VIEWS, _plain_lines, _texts, _theme_file, file_lines
from .kept import _file_stamp, _recall, _remember
from .normal import _DIGITS, _HAN_CHAR, _RUN, preview
from .values import Needle, Values


@dataclass(frozen=True)
class Leak:
    file: str
    kind: str
    where: str
    preview: str


@dataclass
class Scan:
    leaks: list
    files: int
    values: int
    skipped_public: int  # values found, but also part of the station's public text
    unscanned: list  # files that could not be read (e.g. PDF without pdftotext)
    excused: list = field(default_factory=list)  # (masked value, the public word holding it)

    @property
    def ok(self) -> bool:
        return not self.leaks and not self.unscanned


class _Haystack:
    """Unique normalised lines of the whole output, each with the first file it was in."""

    def __init__(self):
        self.seen: dict[str, int] = {}
        self.files: list[str] = []

    def add(self, file: str, texts: list[str]) -> None:
        self.insert(file, file_lines(texts))

    def insert(self, file: str, lines: tuple[str, ...]) -> None:
        """Add the normalised lines of one file (file_lines); the first file holding a line keeps it."""
        index = len(self.files)
        self.files.append(file)
        seen = self.seen
        for norm in lines:
            if norm not in seen:
                seen[norm] = index


def _holding(lines: list[str], needles) -> dict[Needle, set[int]]:
    """For each needle found, the numbers of every line (of `lines`) holding its text."""
    values = Values.of(needles)
    if not lines or not len(values):
        return {}
    known = _runs_known(values) if len(values) > ADDED_MAX else {}  # not for the few values new since the last scan
    return {values.needle(values.pos[text]): numbers
            for text, numbers in _holding_texts(lines, values.shapes, known).items()}


def _holding_texts(lines: list[str], shapes: tuple, known: dict) -> dict[str, set[int]]:
    """For each text (of `shapes`: Shapes.tables) found, the numbers of every line holding it.
    `known`: the parts of runs found before for the same texts (_runs_known), filled in."""
    han2, han, digits, anchored, loose = shapes
    hits: dict[str, set[int]] = {}
    candidates: dict[str, list] = {}  # anchor found -> the runs holding it
    for pattern, lengths in ((_RUN, han), (_DIGITS, digits)):
        runs: dict[str, list] = {}  # run -> the lines it stands in (by number, first first)
        for number, line in enumerate(lines):
            for run in pattern.findall(line):
                runs.setdefault(run, []).append(number)
        han_runs = pattern is _RUN
        for run, where in runs.items():
            if han_runs and run in han2:
                hits.setdefault(run, set()).update(where)
            subs = known.get((han_runs, run))
            if subs is None:  # the parts of the run that are a value (or an anchor) looked for
                found = []
                for length, table in lengths.items():
                    for i in range(len(run) - length + 1):
                        sub = run[i:i + length]
                        if sub in table:
                            found.append(sub)
                subs = known[(han_runs, run)] = tuple(found)
            for sub in subs:
                if lengths[len(sub)][sub]:
                    hits.setdefault(sub, set()).update(where)
                if sub in anchored:
                    candidates.setdefault(sub, []).append(where)
    # a text with its anchor somewhere: look for it in the lines holding the anchor only
    for anchor, places in candidates.items():
        numbers = sorted({number for where in places for number in where})
        for text in anchored[anchor]:
            holding = {number for number in numbers if text in lines[number]}
            if holding:
                hits.setdefault(text, set()).update(holding)
    for text, found_in in _find_texts(lines, loose).items():
        hits.setdefault(text, set()).update(found_in)
    return hits


# Which parts of a run (of Han characters or digits) are among the texts looked for depends on
# the run and on those texts only: kept for the last set of texts searched (`bangfu serve` scans
# again and again in one process, and most runs of a changed line were searched before).
_RUNS: dict = {"texts": None, "runs": {}}
RUNS_KEPT = 500_000  # runs kept at most


def _runs_known(values: Values) -> dict:
    """{(a Han run?, run): its parts that are texts looked for} for exactly these texts."""
    texts = values.pos.keys()
    if _RUNS["texts"] != texts or len(_RUNS["runs"]) > RUNS_KEPT:
        _RUNS["texts"], _RUNS["runs"] = frozenset(texts), {}
    return _RUNS["runs"]


def _find(lines: list[str], needles: list[Needle]) -> dict[Needle, set[int]]:
    """Plain substring search of a few needles through every line (one joined text)."""
    by_text = {n.text: n for n in needles}
    return {by_text[text]: numbers for text, numbers in _find_texts(lines, list(by_text)).items()}


def _find_texts(lines: list[str], texts: list[str]) -> dict[str, set[int]]:
    """_find of texts: for each text found, the numbers of the lines holding it."""
    if not texts:
        return {}
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    big = "\n".join(lines)
    hits: dict[str, set[int]] = {}
    for text in texts:
        at = big.find(text)
        while at >= 0:
            number = bisect.bisect_right(starts, at) - 1
            hits.setdefault(text, set()).add(number)
            at = big.find(text, starts[number] + len(lines[number]) + 1)  # on from the next line
    return hits


class FileCache:
    """What the scan read from each output file, by path and content digest, so that a file
    that did not change since the last scan is not read and normalised again (its lines are
    taken as they were). Only the public output's text is kept: never the records. `save`
    and `load` keep it between builds (in the build's work folder); `bangfu serve` keeps
    one in memory."""

    VERSION = "2"

    def __init__(self):
        self.entries: dict[tuple[str, bytes], tuple | None] = {}
        self._previous: dict[tuple[str, bytes], tuple | None] = {}
        self.reused = 0
        # the last finished search: the values looked for, every line searched, and the
        # values each line holds (lines holding none left out), values by digest (_value_key);
        # None before any search
        self.searched: tuple[frozenset, set, dict] | None = None
        self._searched: tuple[frozenset, set, dict] | None = None

    def lines(self, rel: str, data: bytes, name: str) -> tuple | None:
        key = (rel, hashlib.blake2b(data, digest_size=20).digest())
        if key in self._previous:
            self.reused += 1
            entry = self._previous[key]
        else:
            entry = _plain_lines(rel, name, data)
            if entry is None:
                texts = _texts(name, data)
                entry = None if texts is None else file_lines([rel, *texts])
        self.entries[key] = entry
        return entry

    def start(self) -> None:
        """A new scan: the last scan's files are what may be reused, the rest is forgotten."""
        self._previous, self.entries, self.reused = self.entries, {}, 0
        self._searched, self.searched = self.searched, None

    @staticmethod
    def _stamp() -> str:
        """The scan's code (every module of this package) and VERSION: the kept lines are what
        this code reads from a file."""
        h = hashlib.sha256(FileCache.VERSION.encode())
        for path in sorted(Path(__file__).parent.glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        return h.hexdigest()

    def save(self, path: Path) -> None:
        import pickle

        tmp = Path(path).with_suffix(".tmp")
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            pickle.dump((self._stamp(), self.entries, self.searched), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        _remember(path, self, _file_stamp(path))

    @classmethod
    def load(cls, path: Path) -> FileCache:
        import pickle

        on_disk = _file_stamp(path)
        kept = _recall(path, cls, on_disk)
        if kept is not None:  # `bangfu serve`: as this process saved or loaded it
            kept._previous, kept._searched = {}, None
            return kept
        cache = cls()
        try:
            with open(path, "rb") as f:
                stamp, entries, searched = pickle.load(f)
            if stamp == cls._stamp() and isinstance(entries, dict):
                cache.entries = entries
                if isinstance(searched, tuple) and len(searched) == 3:
                    cache.searched = searched
        except (OSError, ValueError, EOFError, TypeError, pickle.UnpicklingError):
            return cache
        _remember(path, cache, on_disk)
        return cache


def scan_folder(folder: Path, needles, allow: str = "", cache: FileCache | None = None) -> Scan:
    """Search every file under `folder` for `needles` (Needles, or collect's Values). A value
    found that is also part of `allow` (the station's public text, normalised) is not a leak:
    it cannot be told apart from it.
    With `cache`, files unchanged since the cache's last scan are not read again."""
    folder = Path(folder)
    hay = _Haystack()
    cache = cache if cache is not None else FileCache()
    cache.start()
    _LINES[:] = [_LINES[1] or _LINES[0], {}]
    _VIEWS[:] = [_VIEWS[1] or _VIEWS[0], {}]
    _STRINGS[:] = [_STRINGS[1] or _STRINGS[0], {}]
    unscanned = []
    files = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if _theme_file(rel, data):
            continue
        files += 1
        lines = cache.lines(rel, data, path.name)
        if lines is None:
            unscanned.append(rel)
            continue
        hay.insert(rel, lines)
    needles = Values.of(needles)
    hits = _search(hay, needles, cache)
    excused: dict[Needle, str | None] = {}
    for i, (n, _) in enumerate(hits):
        if allow and not n.never_excused and n.text in allow:
            if not n.is_name:  # a workplace, school or note that is also the station's own text
                excused[n] = None
                continue
            word, shown_in = _excuse(n, allow, hay)
            if word:
                excused[n] = word
            elif shown_in is not None:
                hits[i] = (n, shown_in)  # name the page where it stands as itself
    leaks, seen = [], set()
    for n, file in sorted(hits, key=lambda h: -len(h[0].text)):  # an address before its tail
        if n not in excused and (file, n.where) not in seen:
            seen.add((file, n.where))
            leaks.append(Leak(file, n.kind, n.where, preview(n.text)))
    leaks.sort(key=lambda l: (l.file, l.where))
    listed = sorted({(preview(n.text), word) for n, word in excused.items() if word})
    return Scan(leaks, files, len(needles), len(excused), unscanned, listed)


ADDED_MAX = 64  # more values new since the last scan than this: every line is searched again


def _search(hay: _Haystack, values: Values, cache: FileCache) -> list[tuple[Needle, str]]:
    """hay.search(values), searching only what the last scan (cache) did not: the lines new
    since then with every value, and the lines it searched with the values new since then
    (a value's match is a property of one line: see _holding). The values each line holds
    are what a full search finds; every value's first line, and so its file, follows.
    The cache knows the values by digest only: it keeps the public site's text, never a
    list of the records' values."""
    lines = list(hay.seen)
    by_key = values.by_key
    last = cache._searched
    per_line: dict[str, list[bytes]] = {}
    new_keys = set() if last is None else by_key.keys() - last[0]
    added = [values.needle(i) for i in sorted(by_key[key] for key in new_keys)]  # in the values' order
    key_of, pos = values.key, values.pos
    if last is None or len(added) > ADDED_MAX:
        for text, numbers in _holding_texts(lines, values.shapes, _runs_known(values)).items():
            key = key_of(pos[text])
            for number in numbers:
                per_line.setdefault(lines[number], []).append(key)
    else:
        before, known, found = last
        seen = hay.seen
        if before <= by_key.keys():  # no value gone since: the lines still here hold what they held
            per_line = {line: list(held) for line, held in found.items() if line in seen}
        else:
            for line, held in found.items():
                if line in seen:
                    kept = [key for key in held if key in by_key]  # values gone are dropped
                    if kept:
                        per_line[line] = kept
        fresh = [line for line in lines if line not in known]
        if fresh:
            for text, numbers in _holding_texts(fresh, values.shapes, _runs_known(values)).items():
                key = key_of(pos[text])
                for number in numbers:
                    per_line.setdefault(fresh[number], []).append(key)
        if added:
            searched = [line for line in lines if line in known]
            for n, numbers in _find(searched, added).items():  # lines holding the text at all
                candidates = [searched[number] for number in sorted(numbers)]
                for number in _holding(candidates, [n]).get(n, ()):  # and holding it as a value
                    per_line.setdefault(candidates[number], []).append(n.key)
    cache.searched = (frozenset(by_key), set(lines), {line: tuple(held) for line, held in per_line.items()})
    first: dict[int, int] = {}
    for line in lines:
        held = per_line.get(line)
        if held:
            for key in held:
                first.setdefault(by_key[key], hay.seen[line])
    return [(values.needle(i), hay.files[f]) for i, f in first.items()]


def _excuse(needle: Needle, allow: str, hay: _Haystack) -> tuple[str | None, str | None]:
    """(the public word that holds `needle` as something else, None) when every place the
    site shows the value is inside such a word; else (None, a file showing it as itself)."""
    text = needle.text
    words = set()
    for m in re.finditer(re.escape(text), allow):
        start, end = m.start(), m.end()
        if start == 0 or end == len(allow):
            continue
        if _HAN_CHAR.match(allow[start - 1]) and _HAN_CHAR.match(allow[end]):
            run_start = start
            while run_start > 0 and _HAN_CHAR.match(allow[run_start - 1]):
                run_start -= 1
            run_end = end
            while run_end < len(allow) and _HAN_CHAR.match(allow[run_end]):
                run_end += 1
            words.add(allow[run_start:run_end])
    ordered = sorted(words, key=len, reverse=True)
    for line, index in hay.seen.items():
        if text not in line:
            continue
        rest = line
        for word in ordered:
            rest = rest.replace(word, "\0")
        if text in rest:
            return None, hay.files[index]
    return (ordered[-1], None) if ordered else (None, None)
