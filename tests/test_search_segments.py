"""The search index's Chinese segmentation (site/mkdocs_run._search_mode_segmenter) keeps each
Han run's segmentation while the user dictionary is the same: the same text comes out as
jieba's search-mode cut gives it, and a new dictionary starts afresh."""

from __future__ import annotations

import jieba

from generator.site import mkdocs_run

TEXT = "两节送温暖：金秋助学 2026 年，帮扶站（金秋助学）"


def _cut(text: str) -> str:
    import re

    han = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
    return han.sub(lambda m: "\u200b" + "\u200b".join(jieba.cut_for_search(m.group(0))) + "\u200b",
                   text).strip("\u200b")


def test_kept_segmentation_is_jiebas_and_starts_afresh_with_another_dictionary():
    segment = mkdocs_run._search_mode_segmenter(None, b"one")
    assert segment(TEXT) == _cut(TEXT)
    assert "\u200b金秋\u200b" in segment(TEXT)  # a part of a word is found
    runs = mkdocs_run._SEGMENTED["runs"]
    assert set(runs) == {"两节送温暖", "金秋助学", "年", "帮扶站"}
    assert segment(TEXT) == _cut(TEXT)  # the second time from what was kept
    mkdocs_run._search_mode_segmenter(None, b"one")
    assert mkdocs_run._SEGMENTED["runs"] is runs  # the same dictionary: kept
    mkdocs_run._search_mode_segmenter(None, b"two")
    assert mkdocs_run._SEGMENTED["runs"] == {}  # another dictionary: segmented again


def test_the_user_dictionary_is_loaded_only_for_a_run_not_segmented_before(tmp_path, monkeypatch):
    """The search plugin no longer loads jieba's user dictionary up front: the segmenter loads it
    (once per build) before the first run it has not segmented with this dictionary, and a
    rebuild whose runs were all segmented before does not load it at all."""
    path = tmp_path / "jieba_user.txt"
    path.write_text("金秋助学 20 n\n", encoding="utf-8")
    dictionary = path.read_bytes()
    loads: list[str] = []
    real = jieba.load_userdict
    monkeypatch.setattr(jieba, "load_userdict", lambda f: (loads.append(f), real(f)))
    mkdocs_run._SEGMENTED["dictionary"] = None
    segment = mkdocs_run._search_mode_segmenter(None, dictionary, path)
    assert segment(TEXT) == _cut(TEXT) and loads == [str(path)]
    assert segment("帮扶站新的一年") == _cut("帮扶站新的一年") and loads == [str(path)]  # once per build
    again = mkdocs_run._search_mode_segmenter(None, dictionary, path)  # the next build
    assert again(TEXT + "帮扶站") == _cut(TEXT + "帮扶站") and loads == [str(path)]  # all known: not loaded


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
