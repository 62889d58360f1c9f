"""jieba's main dictionary filled in lazily, for the texts segmented only.

jieba's `initialize` builds one dict (`FREQ`) of every word of its dictionary (349,000) and
every prefix of each, about a second of CPU per process; a fresh build of the site segments a
few thousand Han runs, and a rebuild usually none (mkdocs_memo keeps the runs segmented). Here
the dictionary's words and frequencies are read as they are (a sorted list of the words: a
text's prefixes are found by bisection), the search index's own Tokenizer (`tokenizer`) is
marked initialised with an empty `FREQ`, and before a run is segmented, `FREQ` gets exactly the
entries jieba's own would have for the run's substrings it can look at: for each start, the
longest chain of substrings that are words or prefixes of words (what `get_DAG` walks), with
the word's frequency or 0. Every lookup jieba makes while cutting the run (its DAG, the route,
the HMM's buffers, the search mode's two- and three-character grams) is of such a substring,
and the dictionary's prefixes are closed under taking prefixes, so the entries it finds, and
the ones it does not, are those of the full `FREQ`: the segmentation is the same
(tests/test_search_segments.py compares them). Words of a user dictionary are filled in before
it is loaded, so that `add_word` sees the dictionary's entries as it would.

Only jieba's default dictionary is read this way, and only when it parses exactly as
`gen_pfdict` parses it; otherwise jieba initialises as usual.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

_ENTRY = re.compile(r"^(\S+) (\d+)(?= |\r?$)", re.M)


class LazyDictionary:
    """The words of jieba's dictionary file and their frequencies (`freq`: the last line of a
    word counts, as in gen_pfdict; `total`: every line's)."""

    def __init__(self, path: Path):
        text = Path(path).read_bytes().decode("utf-8")
        pairs = _ENTRY.findall(text)
        lines = text.count("\n") + (not text.endswith("\n"))
        if len(pairs) != lines:
            raise ValueError("not a plain jieba dictionary")
        self.freq: dict[str, str] = dict(pairs)
        self.total = sum(map(int, self.freq.values())) if len(self.freq) == len(pairs) else \
            sum(int(freq) for _, freq in pairs)
        self.words = sorted(self.freq)

    def fill(self, table: dict, text: str) -> None:
        """Put into `table` (jieba's FREQ) every entry jieba's full table has for the substrings
        of `text` it can look up: for each start, the substrings that are words or prefixes of
        words, while they are (entries already there, such as a user word's, stay)."""
        words, freq = self.words, self.freq
        count = len(words)
        size = len(text)
        for start in range(size):
            for end in range(start + 1, size + 1):
                frag = text[start:end]
                if frag in table:
                    continue
                at = bisect.bisect_left(words, frag)
                if at == count or not words[at].startswith(frag):
                    break
                table[frag] = int(freq.get(frag, 0))


_STATE: dict = {"tokenizer": None}


def tokenizer(jieba) -> tuple:
    """(this process's jieba Tokenizer for the search index, its LazyDictionary or None). A
    Tokenizer of its own, not jieba's global one: another user of jieba in the process finds
    jieba's full table as ever. Its table is filled lazily (LazyDictionary.fill before each
    run is cut) when jieba's default dictionary reads as gen_pfdict reads it; else (None) it
    initialises as jieba does, its cache where the global one's is (run_mkdocs sets that)."""
    kept = _STATE["tokenizer"]
    if kept is None:
        tok = jieba.Tokenizer()
        try:
            lazy = LazyDictionary(Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME)
        except (OSError, ValueError):
            lazy = None
        if lazy is not None:
            tok.FREQ, tok.total, tok.initialized = {}, lazy.total, True
        kept = _STATE["tokenizer"] = (tok, lazy)
    kept[0].tmp_dir, kept[0].cache_file = jieba.dt.tmp_dir, jieba.dt.cache_file
    return kept


def forget() -> None:
    """Let go of this process's tokenizer and its dictionary (about 350,000 words): for a build's
    process that builds no more site and waits on its private writer (build.steps._give_back).
    The next `tokenizer` call makes them again. Emptied, not only dropped: the segmenter of the
    site's build (mkdocs_run) holds them too; were it called again, it would fail (no words),
    never cut otherwise."""
    kept, _STATE["tokenizer"] = _STATE["tokenizer"], None
    if kept is None or kept[1] is None:
        return
    tok, lazy = kept
    tok.FREQ = {}
    del lazy.freq, lazy.words


def load_userdict(jieba, tok, lazy: LazyDictionary | None, path: Path) -> None:
    """tok.load_userdict(path), with the entries of its words filled in first (`lazy`)."""
    if lazy is not None:
        for raw in Path(path).read_bytes().split(b"\n"):  # as jieba reads it (each line's words)
            try:
                line = raw.strip().decode("utf-8").lstrip("\ufeff")
            except UnicodeDecodeError:
                continue
            m = jieba.re_userdict.match(line) if line else None
            if m is not None:
                lazy.fill(tok.FREQ, m.group(1))
    tok.load_userdict(str(path))
