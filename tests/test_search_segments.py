"""The search index's Chinese segmentation (site/mkdocs_run._search_mode_segmenter) keeps each
Han run's segmentation while the user dictionary is the same: the same text comes out as
jieba's search-mode cut gives it, and a new dictionary starts afresh."""

from __future__ import annotations

import random
import re
from pathlib import Path

import jieba
import pytest

from generator.resources import JIEBA_WORDS
from generator.site import jieba_lazy, mkdocs_run

TEXT = "两节送温暖：金秋助学 2026 年，帮扶站（金秋助学）"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@pytest.fixture(scope="module")
def jiebas_table(tmp_path_factory):
    """jieba's own full table of its default dictionary (FREQ, total), as initialize builds it."""
    tok = jieba.Tokenizer()
    tok.tmp_dir = str(tmp_path_factory.mktemp("jieba"))
    tok.initialize()
    return tok.FREQ, tok.total


def full_tokenizer(table, *user: Path):
    """A Tokenizer with jieba's full table and the user dictionaries loaded, as jieba loads them."""
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total, tok.initialized = dict(table[0]), table[1], True
    for path in user:
        tok.load_userdict(str(path))
    return tok


@pytest.fixture
def fresh_segmenter():
    """The search index's own Tokenizer made anew (jieba_lazy keeps one per process)."""
    jieba_lazy._STATE["tokenizer"] = None
    mkdocs_run._SEGMENTED["dictionary"], mkdocs_run._SEGMENTED["runs"] = None, {}
    yield
    jieba_lazy._STATE["tokenizer"] = None


def _cut(tok, text: str) -> str:
    return HAN.sub(lambda m: "\u200b" + "\u200b".join(tok.cut_for_search(m.group(0))) + "\u200b",
                   text).strip("\u200b")


def test_kept_segmentation_is_jiebas_and_starts_afresh_with_another_dictionary(jiebas_table, fresh_segmenter):
    full = full_tokenizer(jiebas_table)
    segment = mkdocs_run._search_mode_segmenter(None, b"one")
    assert segment(TEXT) == _cut(full, TEXT)
    assert "\u200b金秋\u200b" in segment(TEXT)  # a part of a word is found
    runs = mkdocs_run._SEGMENTED["runs"]
    assert set(runs) == {"两节送温暖", "金秋助学", "年", "帮扶站"}
    assert segment(TEXT) == _cut(full, TEXT)  # the second time from what was kept
    mkdocs_run._search_mode_segmenter(None, b"one")
    assert mkdocs_run._SEGMENTED["runs"] is runs  # the same dictionary: kept
    mkdocs_run._search_mode_segmenter(None, b"two")
    assert mkdocs_run._SEGMENTED["runs"] == {}  # another dictionary: segmented again


def test_the_user_dictionary_is_loaded_only_for_a_run_not_segmented_before(tmp_path, monkeypatch, jiebas_table,
                                                                          fresh_segmenter):
    """The search plugin no longer loads jieba's user dictionary up front: the segmenter loads it
    (once per build) before the first run it has not segmented with this dictionary, and a
    rebuild whose runs were all segmented before does not load it at all."""
    path = tmp_path / "jieba_user.txt"
    path.write_text("金秋助学 20 n\n", encoding="utf-8")
    full = full_tokenizer(jiebas_table, path)
    dictionary = path.read_bytes()
    loads: list[str] = []
    real = jieba.Tokenizer.load_userdict
    monkeypatch.setattr(jieba.Tokenizer, "load_userdict", lambda self, f: (loads.append(f), real(self, f)))
    segment = mkdocs_run._search_mode_segmenter(None, dictionary, path)
    assert segment(TEXT) == _cut(full, TEXT) and loads == [str(path)]
    assert segment("帮扶站新的一年") == _cut(full, "帮扶站新的一年") and loads == [str(path)]  # once per build
    again = mkdocs_run._search_mode_segmenter(None, dictionary, path)  # the next build
    assert again(TEXT + "帮扶站") == _cut(full, TEXT + "帮扶站") and loads == [str(path)]  # all known: not loaded


def test_the_lazily_filled_table_cuts_as_jiebas_full_one(tmp_path, jiebas_table, fresh_segmenter):
    """The search index's Tokenizer fills jieba's table only for the runs it cuts (jieba_lazy):
    with the project's user dictionary and a station's words loaded, every run comes out as with
    jieba's full table, and every entry filled in is the full table's (the total too)."""
    user = tmp_path / "jieba_user.txt"
    user.write_text(JIEBA_WORDS.read_text(encoding="utf-8") + "金秋助学 20 n\n示范镇宏达陶瓷有限公司 20 n\n"
                    "两节送温暖 20 n\n困难职工帮扶公示\n", encoding="utf-8")
    full = full_tokenizer(jiebas_table, user)
    segment = mkdocs_run._search_mode_segmenter(None, user.read_bytes(), user)
    words = [w for w in jiebas_table[0] if jiebas_table[0][w] and HAN.fullmatch(w)]
    rng = random.Random(17)
    runs = [TEXT, "困难职工帮扶公示名单第十九页", "宋华盖丰林梅吴华潘", "示范镇中心卫生院医疗救助大病",
            "两节送温暖金秋助学生活救助", "乾隆後面臺灣", "𠀀丽丽"]
    for _ in range(400):
        parts = [rng.choice(words) for _ in range(rng.randint(1, 5))]
        parts += [chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(0, 3))]
        rng.shuffle(parts)
        runs.append("".join(parts))
    for run in runs:
        assert segment(run) == _cut(full, run), run
    tok, lazy = jieba_lazy._STATE["tokenizer"]
    assert lazy is not None and 1000 < len(tok.FREQ) < len(jiebas_table[0]) / 10
    assert all(full.FREQ[key] == value for key, value in tok.FREQ.items())
    assert tok.total == full.total


def test_segmented_runs_are_kept_with_the_stored_pages(tmp_path):
    """mkdocs_memo.stored keeps the runs segmented (with their dictionary) beside the pages, and
    the next build's process takes them back under the same key only."""
    from generator.site import mkdocs_memo

    store = tmp_path / "pages.pickle"
    runs = {"帮扶站": "\u200b帮扶\u200b帮扶站\u200b"}
    mkdocs_run._SEGMENTED["dictionary"], mkdocs_run._SEGMENTED["runs"] = b"one", runs
    with mkdocs_memo.stored(store, "k") as memo:
        mkdocs_memo._STATE["store"].built = True
        memo.keep()
    kept = dict(mkdocs_run._SEGMENTED["runs"])
    mkdocs_run._SEGMENTED["dictionary"], mkdocs_run._SEGMENTED["runs"] = None, {}  # a new process
    with mkdocs_memo.stored(store, "k"):
        assert mkdocs_run._SEGMENTED == {"dictionary": b"one", "runs": kept}
    mkdocs_run._SEGMENTED["dictionary"], mkdocs_run._SEGMENTED["runs"] = None, {}
    with mkdocs_memo.stored(store, "other key"):
        assert mkdocs_run._SEGMENTED["runs"] == {}


def test_a_build_that_lets_go_empties_the_dictionary(tmp_path, fresh_segmenter):
    """jieba_lazy.forget (a build's process letting go before its writer prints: steps._give_back)
    empties the search index's tokenizer and dictionary, also for a segmenter holding them; it
    fails if called again rather than cutting otherwise; the next segmenter makes them anew."""
    segment = mkdocs_run._search_mode_segmenter(None, b"one")
    first = segment(TEXT)
    tok, lazy = jieba_lazy._STATE["tokenizer"]
    assert lazy is not None and len(lazy.words) > 300_000 and tok.FREQ
    jieba_lazy.forget()
    assert jieba_lazy._STATE["tokenizer"] is None and tok.FREQ == {}
    assert not hasattr(lazy, "words") and not hasattr(lazy, "freq")
    with pytest.raises(AttributeError):
        segment("一个没有分过的新词组")
    mkdocs_run._SEGMENTED["runs"] = {}
    assert mkdocs_run._search_mode_segmenter(None, b"one")(TEXT) == first
    jieba_lazy.forget()
    jieba_lazy.forget()  # nothing kept: nothing to do
